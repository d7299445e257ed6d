// Every command's arguments and options, with their defaults, declared once: the options object
// a command module receives is typed from these declarations (commander's extra typings), so a
// default or a flag cannot be declared here and assumed differently in the module. Loads no
// command module: main.ts wires each one lazily.
import { Option, type Command } from '@commander-js/extra-typings';
import { shortDuration } from '../core/duration.js';
import { DEFAULT_BUCKET_SECONDS } from '../stats/buckets.js';

/** The options object a command declared by `declare` hands to its module. */
type OptionsOf<F extends (c: Command) => { opts(): unknown }> = ReturnType<ReturnType<F>['opts']>;

export function examples(...lines: string[]): string {
  return '\nExamples:\n' + lines.map((l) => `  $ ${l}`).join('\n') + '\n';
}

/** `15m,30m,1h,12h,24h`: the thresholds of the 2023 report, as an option writes them. */
const DEFAULT_BUCKETS = DEFAULT_BUCKET_SECONDS.map(shortDuration).join(',');

const json = () => new Option('--json', 'print machine-readable JSON');
const sheet = () => new Option('--sheet <name>', 'sheet of an .xlsx directory (default: the first)');

export function directoryValidateCommand(c: Command) {
  return c
    .description('check a directory (YAML, JSON, CSV or XLSX) and list every problem')
    .argument('<file>', 'directory file')
    .addOption(sheet())
    .addOption(json())
    .addHelpText('after', examples('rollcall directory validate fixtures/directory.yaml', 'rollcall directory validate directory.xlsx --sheet Directory'));
}
export type DirectoryValidateOptions = OptionsOf<typeof directoryValidateCommand>;

export function directoryShowCommand(c: Command) {
  return c
    .description('table of parties and contact points, with counts by status and kind')
    .argument('<file>', 'directory file')
    .addOption(sheet())
    .addOption(json())
    .addHelpText('after', examples('rollcall directory show fixtures/directory.csv --json'));
}
export type DirectoryShowOptions = OptionsOf<typeof directoryShowCommand>;

export function directoryExportCommand(c: Command) {
  return c
    .description('write the normalised directory as XLSX, CSV, YAML or JSON, to keep editing it')
    .argument('<file>', 'directory file')
    .addOption(new Option('--format <format>', 'xlsx, csv, yaml or json (default: from --out)').choices(['xlsx', 'csv', 'yaml', 'json'] as const))
    .option('--out <file>', 'file to write (default: stdout; required for xlsx)')
    .option('--delimiter <char>', "between CSV cells: ',', ';' or tab", ',')
    .option('--force', 'replace --out if it exists')
    .addOption(sheet())
    .addHelpText(
      'after',
      examples('rollcall directory export fixtures/directory.yaml --out directory.xlsx', 'rollcall directory export directory.xlsx --format yaml > directory.yaml', "rollcall directory export directory.yaml --format csv --delimiter ';' --out directory.csv"),
    );
}
export type DirectoryExportOptions = OptionsOf<typeof directoryExportCommand>;

export function templatesInitCommand(c: Command) {
  return c
    .description("write rollcall's built-in ping texts as template files, to reword")
    .argument('[folder]', 'where to write them', 'templates')
    .option('--languages <list>', 'only these languages (default: every built-in one)')
    .addOption(json())
    .addHelpText('after', examples('rollcall templates init templates --languages en,fr'));
}
export type TemplatesInitOptions = OptionsOf<typeof templatesInitCommand>;

export function checkCommand(c: Command) {
  return c
    .description('settings, servers and one round trip to your own inbox, the day before a test')
    .requiredOption('--directory <file>', 'directory of contact points')
    .addOption(sheet())
    .option('--channels <list>', 'channels to check (email,sms,voice)', 'email')
    .option('--insecure-tls', 'allow mail servers without TLS on non-loopback addresses')
    .option('--timeout <duration>', 'how long to wait for each round trip', '2m')
    .option('--public-url <url>', 'check that this URL reaches the webhook server (SMS, voice)')
    .option('--webhook-port <n>', 'local port of the webhook server that --public-url forwards to')
    .option('--to <number>', 'also send one SMS and place one call to this phone (your own) and time the answers')
    .addOption(json())
    .addHelpText(
      'after',
      examples(
        'ROLLCALL_SMTP_URL=... ROLLCALL_IMAP_URL=... rollcall check --directory directory.yaml',
        'rollcall check --directory directory.yaml --channels sms,voice --public-url https://hooks.example.org --webhook-port 8443 --to "+33 6 12 34 56 78"',
      ),
    );
}
export type CheckOptions = OptionsOf<typeof checkCommand>;

export function runCommand(c: Command) {
  return c
    .description('run a responsiveness test: ping every contact point and time the answers')
    .requiredOption('--directory <file>', 'directory of contact points')
    .addOption(sheet())
    .option('--at <time>', 'start at this time (ISO 8601, or HH:MM in --tz)')
    .option('--between <HH:MM-HH:MM>', 'start at an unannounced random time in this window')
    .option('--on <date>', 'day for --between (YYYY-MM-DD, default today in --tz)')
    .option('--tz <zone>', 'IANA time zone for --at/--between', 'UTC')
    .option('--window <duration>', 'how long to watch for answers', '24h')
    .option('--channels <list>', 'email,sms,voice', 'email')
    .option('--buckets <list>', 'bucket thresholds', DEFAULT_BUCKETS)
    .option('--runs-dir <dir>', 'where run folders are created', 'runs')
    .option('--include-observers', 'also test observers (counted separately)')
    .option('--folders <list>', 'IMAP folders to watch', 'INBOX')
    .option('--public-url <url>', 'https URL where Twilio can reach our webhooks')
    .option('--webhook-port <n>', 'local port of the webhook server that --public-url forwards to (default: any free port, printed)')
    .option('--insecure-tls', 'allow mail servers without TLS on non-loopback addresses')
    .option('-y, --yes', 'do not ask for confirmation before sending')
    .option('--detach', 'run in the background, output in <run>/run.log (follow it with `rollcall status`)')
    .option('--notify <addresses>', 'e-mail these addresses when the run starts, stops on an error and ends')
    .option('--authenticity <policy>', 'report: answers whose origin fails DKIM/SPF/DMARC count and are listed; require: they count for nothing (default: the config\'s, else report)')
    .addOption(json())
    .addHelpText(
      'after',
      examples(
        'rollcall run --directory directory.yaml --between 09:00-17:00 --on 2024-06-05 --tz Europe/Paris',
        'rollcall run --directory directory.yaml --between 09:00-17:00 --on 2024-06-05 --tz Europe/Paris --detach --notify secretariat@example.org',
        'rollcall run --directory directory.yaml --at 2024-06-05T10:30:00+02:00 --channels email,sms --yes',
        'rollcall run --directory directory.yaml --channels email,sms,voice --public-url https://hooks.example.org --webhook-port 8443',
      ),
    );
}
export type RunOptions = OptionsOf<typeof runCommand>;

export function resumeCommand(c: Command) {
  return c
    .description('continue a run after a stop, without sending any ping twice')
    .argument('<run>', 'run folder')
    .option('--resend-uncertain', 'send again the pings whose sending was never confirmed')
    .option('--public-url <url>', 'https URL where Twilio can reach our webhooks (as given to run)')
    .option('--webhook-port <n>', 'local port of the webhook server that --public-url forwards to (default: any free port, printed)')
    .option('--insecure-tls', 'allow mail servers without TLS on non-loopback addresses')
    .option('-y, --yes', 'do not ask for confirmation before sending')
    .addOption(json())
    .addHelpText('after', examples('rollcall resume runs/2024-06-05T0930Z-k3f9'));
}
export type ResumeOptions = OptionsOf<typeof resumeCommand>;

export function serviceCommand(c: Command) {
  return c
    .description('print a systemd unit (or a crontab line) that resumes a run at boot until it has ended')
    .argument('<run>', 'run folder')
    .option('--cron', 'print a crontab @reboot line instead of a systemd unit')
    .option('--user', 'a systemd user unit (systemctl --user) rather than a system one')
    .option('--env-file <file>', 'file holding the ROLLCALL_* settings and secrets, one NAME=value a line', '~/.config/rollcall/env')
    .option('--public-url <url>', 'https URL where Twilio can reach our webhooks (as given to run)')
    .option('--webhook-port <n>', 'local port of the webhook server that --public-url forwards to')
    .option('--insecure-tls', 'allow mail servers without TLS on non-loopback addresses')
    .addHelpText(
      'after',
      examples(
        'rollcall service runs/2024-06-05T0930Z-k3f9 > rollcall-2024-06-05T0930Z-k3f9.service',
        'rollcall service runs/2024-06-05T0930Z-k3f9 --cron | crontab -   # replaces your crontab: better, add the line with crontab -e',
      ),
    );
}
export type ServiceOptions = OptionsOf<typeof serviceCommand>;

export function statusCommand(c: Command) {
  return c
    .description('where a run stands (also while another process runs it)')
    .argument('<run>', 'run folder')
    .addOption(json())
    .addHelpText('after', examples('rollcall status runs/2024-06-05T0930Z-k3f9'));
}
export type StatusOptions = OptionsOf<typeof statusCommand>;

export function statsCommand(c: Command) {
  return c
    .description('bucket statistics from a run folder, an events.jsonl or a reply-log CSV')
    .argument('<source>', 'run folder, events.jsonl or replies.csv')
  // No default here: a run folder's own thresholds (run.json) apply unless --buckets is given.
    .option('--buckets <list>', `bucket thresholds (default: the run's, else ${DEFAULT_BUCKETS})`)
    .option('--by <field>', 'split the figures by status or kind')
    .option('--directory <file>', 'population = the parties of this directory (for a reply log)')
    .option('--locale <locale>', 'language and number format of the table (en, fr...)')
    .option('--authenticity <policy>', "report|require: how answers whose origin fails authentication count (default: the run's)")
    .addOption(json())
    .addHelpText('after', examples('rollcall stats fixtures/replies-2023.csv', 'rollcall stats fixtures/replies-2023.csv --locale fr', 'rollcall stats runs/2024-06-05T0930Z-k3f9 --buckets 5m,15m,1h --json'));
}
export type StatsOptions = OptionsOf<typeof statsCommand>;

export function reportCommand(c: Command) {
  return c
    .description('export the report for the annual meeting (HTML, Markdown, CSV, JSON, PDF), the history of several tests, or a letter per party')
    .argument('[source]', 'run folder, events.jsonl or replies.csv')
    .option('--format <list>', 'html,md,csv,json,pdf (letters: md,html,pdf)', 'html,md')
    .option('--out <dir>', "output folder (default: the run's own reports/ for a run folder, else ./reports)")
    .option('--compare <source>', 'an earlier run or reply log to compare with')
    .option('--history <sources...>', 'several tests side by side, oldest first (run folders or reply logs)')
    .option('--letters [all]', 'a letter per party that did not answer within the first threshold or whose address failed (all: every party)')
    .option('--anonymize', 'replace country names with stable labels')
    .option('--locale <locale>', 'language, numbers and dates (en, fr, fr-BE...); letters default to each party\'s language')
    .option('--title <title>', 'report title')
    .option('--authenticity <policy>', "report|require: how answers whose origin fails authentication count (default: the run's)")
  // No defaults for --tz and --buckets: a run folder's own (run.json) apply unless given.
    .option('--tz <zone>', "the secretariat's time zone (default: the run's, else UTC)")
    .option('--buckets <list>', `bucket thresholds (default: the run's, else ${DEFAULT_BUCKETS})`)
    .option('--directory <file>', 'population = the parties of this directory (for a reply log)')
    .addOption(json())
    .addHelpText(
      'after',
      examples(
        'rollcall report fixtures/replies-2023.csv --format html,md --out reports/',
        'rollcall report runs/2024-06-05T0930Z-k3f9 --compare fixtures/replies-2023.csv --format html,pdf --tz Europe/Paris',
        'rollcall report runs/2024-06-05T0930Z-k3f9 --format html,csv --anonymize --locale fr',
        'rollcall report --history fixtures/replies-2023.csv runs/2024-06-05T0930Z-k3f9 --locale fr',
        'rollcall report runs/2024-06-05T0930Z-k3f9 --letters',
      ),
    );
}
export type ReportOptions = OptionsOf<typeof reportCommand>;

export function inspectCommand(c: Command) {
  return c
    .description('how a message would be classified and matched, and why')
    .argument('<message>', '.eml file')
    .option('--run <run>', 'match against the pings of this run')
    .option('--no-dns', 'check its origin only from trusted Authentication-Results headers, without DNS look-ups')
    .option('--dns-timeout <duration>', 'how long the DNS look-ups of the origin check may take', '5s')
    .option('--trusted-authserv-ids <list>', "receiving servers whose Authentication-Results are believed (default: the settings' trustedAuthservIds)")
    .addOption(json())
    .addHelpText('after', examples('rollcall inspect fixtures/mail/exchange-auto-reply.eml', 'rollcall inspect answer.eml --trusted-authserv-ids mx.secretariat.example --no-dns'));
}
export type InspectOptions = OptionsOf<typeof inspectCommand>;

export function markCommand(c: Command) {
  return c
    .description('correct a classification, or enter an answer received outside rollcall; logged and shown in reports')
    .argument('<run>', 'run folder')
    .argument('<target>', 'message key or file, or contact id')
    .addOption(new Option('--as <class>', 'what it really is').choices(['reply', 'automatic', 'not-an-answer'] as const).makeOptionMandatory())
    .requiredOption('--note <text>', 'why')
    .option('--at <time>', "an answer received outside rollcall, at this time (ISO 8601, or HH:MM in the run's zone); with --as reply and a contact id")
    .addOption(new Option('--channel <how>', 'how that answer came (with --at)').choices(['phone', 'email', 'sms', 'other'] as const))
    .option('--contact <id>', 'whose answer a message is (a message matched to no ping)')
    .addOption(json())
    .addHelpText(
      'after',
      examples(
        'rollcall mark runs/2024-06-05T0930Z-k3f9 JP-POL --as reply --at 22:11 --channel phone --note "the duty officer phoned back"',
        'rollcall mark runs/2024-06-05T0930Z-k3f9 FR-POL --as reply --note "ticket-system acknowledgement, read by the duty officer"',
        'rollcall mark runs/2024-06-05T0930Z-k3f9 imap:INBOX:1717:42 --contact AL-POL --as reply --note "from the unit\'s other address"',
      ),
    );
}
export type MarkOptions = OptionsOf<typeof markCommand>;

export function demoCommand(c: Command) {
  return c
    .description('a whole test against simulated contact points, no set-up')
    .option('--directory <file>', 'rehearse on this directory instead of the example one (YAML, JSON, CSV, XLSX)')
    .addOption(sheet())
    .option('--speed <n>', 'how many times faster than real time (default 5000: 24 h in about 17 s), or max')
    .option('--seed <s>', 'random seed', '2023')
    .option('--runs-dir <dir>', 'where the run folder is created', 'runs')
    .addOption(json())
    .addHelpText('after', examples('rollcall demo', 'rollcall demo --seed 7 --json', 'rollcall demo --directory directory.xlsx --speed max'));
}
export type DemoOptions = OptionsOf<typeof demoCommand>;
