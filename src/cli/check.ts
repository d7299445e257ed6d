// rollcall check --directory f [--channels email,sms,voice] [--timeout 2m] [--json]: everything
// short of the test, the day before it. Validates the directory and the settings, logs in to the
// servers, shows one rendered ping, and times a ping sent to the secretariat's own address through
// the real servers. Nothing is sent to contact points. Exit 0 all good, 1 a server failed or the
// round trip did not complete, 2 bad settings or directory.
import { EXIT, formatProblem, UsageError } from '../core/errors.js';
import { readDirectory } from '../directory/load.js';
import { checkChannelSettings, createChannels, parseChannels } from '../channels/factory.js';
import { systemClock } from '../core/clock.js';
import { checkServers, roundTrip, type RoundTrip, type ServerCheck } from '../run/check.js';
import { directorySnapshot, planPings } from '../run/plan.js';
import { loadSettings } from '../settings.js';
import { configuredTemplates, PingWording } from '../mail/templates.js';
import { formatDuration, parseDuration } from '../core/duration.js';
import { paint, type Output } from './output.js';

export async function run(_args: string[], opts: Record<string, unknown>, o: Output): Promise<number> {
  const str = (k: string) => (typeof opts[k] === 'string' ? (opts[k] as string) : undefined);
  const timeoutText = str('timeout') ?? '2m';
  const timeout = parseDuration(timeoutText);
  if (timeout === undefined) throw new UsageError(`--timeout: "${timeoutText}" is not a duration (e.g. 90s, 2m)`);
  const names = parseChannels(str('channels') ?? 'email');
  const directoryFile = str('directory')!;
  const directory = await readDirectory(directoryFile, { cwd: o.cwd });
  const settings = loadSettings(o.env, o.cwd);
  checkChannelSettings(names, settings);
  // The office's templates, checked as `run` checks them: any problem is exit 2.
  const templates = configuredTemplates(settings.templates, o.cwd);
  const wording = new PingWording({ network: directory.network, ...(templates ? { templates: templates.templates } : {}), deadline: new Date(Date.now() + 86_400_000), windowSeconds: 86_400 });
  const insecureTls = Boolean(opts.insecureTls);
  const pings = planPings(directorySnapshot(directory, false), names);
  const c = await paint(o);
  const say = (line = '') => {
    if (!o.json) o.out.write(line + '\n');
  };

  say(c.bold(`Directory ${directoryFile}: ${directory.parties.length} countries, ${pings.length} pings by ${names.join(', ')} on a test day.`));
  say(`Settings: ${names.includes('email') ? `mail from ${settings.from}` : ''}${names.some((n) => n !== 'email') ? `${names.includes('email') ? '; ' : ''}calls and SMS from ${settings.twilioFrom}` : ''}`);

  const channels = await createChannels({ names, settings, clock: systemClock, network: directory.network, ...(insecureTls ? { insecureTls: true } : {}) });
  const servers: ServerCheck[] = await checkServers(channels);
  for (const s of servers) say(`${s.ok ? c.green('ok    ') : c.red('FAILED')} ${s.channel}: ${s.ok ? (s.channel === 'email' ? 'SMTP and IMAP logins, watched folders present' : 'Twilio account reachable') : s.detail}`);

  // One ping rendered per language the directory's contact points get, per channel checked.
  say();
  say(templates ? `Templates: ${settings.templates} (${templates.files.length} file${templates.files.length === 1 ? '' : 's'}: ${templates.files.map((f) => f.split(/[\\/]/).slice(-2).join('/')).join(', ')}); the built-in texts fill the gaps.` : 'Templates: the built-in texts (set `templates: ./templates` in rollcall.config.yaml for your own).');
  for (const w of templates?.warnings ?? []) say(c.yellow(`warning: ${formatProblem(w)}`));
  const rendered: Array<{ channel: string; language: string; contactId: string; from?: string; to: string; subject?: string; messageId?: string; text: string }> = [];
  const { newToken } = await import('../mail/token.js');
  const shownLanguages = new Set<string>();
  for (const sample of pings) {
    const token = newToken();
    if (sample.channel === 'email') {
      const { composePing } = await import('../mail/compose.js');
      const composed = composePing({ ...sample, token }, { from: settings.from!, subject: settings.subject, network: directory.network, wording });
      if (shownLanguages.has(`email:${composed.language}`)) continue;
      shownLanguages.add(`email:${composed.language}`);
      rendered.push({ channel: 'email', language: composed.language, contactId: sample.contactId, from: composed.from, to: composed.to, subject: composed.subject, messageId: composed.messageId, text: composed.text });
      say();
      say(c.bold(`The e-mail ${sample.country} (${sample.contactId}) would get, in ${wording.languageName(composed.language)}:`));
      say(c.dim(`From: ${composed.from}\nTo: ${composed.to}\nSubject: ${composed.subject}\nMessage-ID: ${composed.messageId}\n`));
      // The English version that follows another language is shown once, on its own.
      const [own, english] = composed.text.split(/\n\n----- [^\n]* -----\n\n/);
      say(own!.trimEnd().replace(/^/gm, '  '));
      if (english !== undefined) say(c.dim('  (followed by the English version)'));
    } else {
      const text = sample.channel === 'sms' ? wording.sms({ ...sample, token }) : wording.voice({ ...sample, token }).message;
      const language = wording.languageOf(sample.languages, sample.channel === 'sms' ? 'sms' : 'voice');
      if (shownLanguages.has(`${sample.channel}:${language}`)) continue;
      shownLanguages.add(`${sample.channel}:${language}`);
      rendered.push({ channel: sample.channel, language, contactId: sample.contactId, to: sample.address, text });
      say();
      say(c.bold(`The ${sample.channel === 'sms' ? 'SMS' : 'call'} ${sample.country} (${sample.contactId}) would get, in ${wording.languageName(language)}:`));
      say(`  ${text}`);
    }
  }

  let trip: RoundTrip | undefined;
  if (names.includes('email')) {
    const email = servers.find((s) => s.channel === 'email');
    if (email?.ok) {
      const own = /<([^>]+)>/.exec(settings.from!)?.[1] ?? settings.from!.trim();
      const [fresh] = await createChannels({ names: ['email'], settings, clock: systemClock, network: directory.network, wording, ...(insecureTls ? { insecureTls: true } : {}) });
      say();
      say(`Round trip: a ping to ${own} (our own address), waiting up to ${formatDuration(timeout)} for it in the inbox...`);
      trip = await roundTrip(fresh!, { address: own, from: settings.from!, clock: systemClock, timeoutMs: timeout * 1000, network: directory.network });
      if (trip.ok) {
        say(
          `${c.green('ok    ')} accepted ${trip.sentAt}, in ${trip.folder ?? 'the inbox'} at ${trip.receivedAt} (INTERNALDATE, in whole seconds, − send time: ${trip.seconds} s); ` +
            `seen by rollcall ${((trip.detectedAfterMs ?? 0) / 1000).toFixed(1)} s after it was sent.`,
        );
      } else say(`${c.red('FAILED')} round trip: ${trip.detail}`);
    }
  }

  const settingsProblem = servers.some((s) => !s.ok && s.settingsProblem);
  const failed = servers.some((s) => !s.ok) || (trip !== undefined && !trip.ok);
  const code = settingsProblem ? EXIT.cannotStart : failed ? EXIT.problems : EXIT.ok;
  if (o.json) {
    o.out.write(
      JSON.stringify(
        { ok: code === EXIT.ok, directory: { file: directoryFile, countries: directory.parties.length, pings: pings.length }, channels: names, servers, ...(rendered.length > 0 ? { ping: rendered[0], rendered } : {}), ...(trip ? { roundTrip: trip } : {}) },
        null,
        2,
      ) + '\n',
    );
  } else {
    say();
    say(code === EXIT.ok ? c.green('All good: nothing was sent to any contact point.') : c.red('Not ready: see above. Nothing was sent to any contact point.'));
  }
  return code;
}

