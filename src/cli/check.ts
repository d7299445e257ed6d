// rollcall check --directory f [--channels email,sms,voice] [--public-url u [--webhook-port n]]
// [--to <own number>] [--timeout 2m] [--json]: everything short of the test, the day before it.
// Validates the directory and the settings, logs in to the servers, shows one rendered ping, and
// times a ping sent to the secretariat's own address through the real servers; for SMS and voice,
// checks that ROLLCALL_TWILIO_FROM is a number of the account, that the public URL reaches the
// webhook server, and (--to) times an SMS and a call to the secretariat's own phone. Nothing is
// sent to contact points. Exit 0 all good, 1 a server failed or a round trip did not complete, 2
// bad settings or directory.
import { EXIT, formatProblem, UsageError } from '../core/errors.js';
import { readDirectory } from '../directory/load.js';
import { checkChannelSettings, createChannels, parseChannels, parseWebhookPort } from '../channels/factory.js';
import type { ChannelName } from '../core/events.js';
import { systemClock } from '../core/clock.js';
import { checkOwnNumber, checkServers, checkWebhookUrl, phoneRoundTrips, roundTrip, type OwnNumberCheck, type PhoneRoundTrip, type PublicUrlResult, type RoundTrip, type ServerCheck } from '../run/check.js';
import type { Settings } from '../settings.js';
import { checkPingAuthenticity, type PingAuthenticity } from './check-authenticity.js';
import { directorySnapshot, planPings } from '../run/plan.js';
import { loadSettings } from '../settings.js';
import { configuredTemplates, PingWording } from '../mail/templates.js';
import { formatDuration, parseDuration } from '../core/duration.js';
import { type Output } from './output.js';
import { palette, type Palette } from '../core/palette.js';
import type { CheckOptions } from './commands.js';

export async function run(_args: string[], opts: CheckOptions, o: Output): Promise<number> {
  const timeoutText = opts.timeout;
  const timeout = parseDuration(timeoutText);
  if (timeout === undefined) throw new UsageError(`--timeout: "${timeoutText}" is not a duration (e.g. 90s, 2m)`);
  const names = parseChannels(opts.channels);
  const phoneOptions = parsePhoneOptions(opts, names);
  if (phoneOptions.publicUrl) (await import('../channels/webhooks.js')).parsePublicUrl(phoneOptions.publicUrl);
  const directoryFile = opts.directory;
  const directory = await readDirectory(directoryFile, { cwd: o.cwd, ...(opts.sheet !== undefined ? { sheet: opts.sheet } : {}) });
  const settings = loadSettings(o.env, o.cwd);
  checkChannelSettings(names, settings);
  // The office's templates, checked as `run` checks them: any problem is exit 2.
  const templates = configuredTemplates(settings.templates, o.cwd);
  const wording = new PingWording({ network: directory.network, ...(templates ? { templates: templates.templates } : {}), deadline: new Date(Date.now() + 86_400_000), windowSeconds: 86_400 });
  const insecureTls = opts.insecureTls === true;
  // The countries a run pings: the parties (observers only with `run --include-observers`).
  const snapshot = directorySnapshot(directory, false);
  const pings = planPings(snapshot, names);
  const observers = directory.parties.length - snapshot.parties.length;
  const c = palette(o.color);
  const say = (line = '') => {
    if (!o.json) o.out.write(line + '\n');
  };

  say(
    c.bold(`Directory ${directoryFile}: ${snapshot.parties.length} countries, ${pings.length} pings by ${names.join(', ')} on a test day`) +
      (observers > 0 ? ` (not the ${observers} observer${observers === 1 ? '' : 's'}: \`run --include-observers\` pings them too).` : '.'),
  );
  say(`Settings: ${names.includes('email') ? `mail from ${settings.from}` : ''}${names.some((n) => n !== 'email') ? `${names.includes('email') ? '; ' : ''}calls and SMS from ${settings.twilioFrom}` : ''}`);

  const channels = await createChannels({ names, settings, clock: systemClock, network: directory.network, ...(insecureTls ? { insecureTls: true } : {}) });
  const servers: ServerCheck[] = await checkServers(channels);
  const mark = (ok: boolean) => (ok ? c.green('ok    ') : c.red('FAILED'));
  for (const s of servers) {
    if (s.smtp && s.imap) {
      // E-mail with a server down: each server's own result (both were tried).
      say(`${mark(s.smtp.ok)} ${s.channel}: ${s.smtp.ok ? 'SMTP login' : s.smtp.detail}`);
      say(`${mark(s.imap.ok)} ${s.channel}: ${s.imap.ok ? 'IMAP login, watched folders present' : s.imap.detail}`);
    } else say(`${mark(s.ok)} ${s.channel}: ${s.ok ? (s.channel === 'email' ? 'SMTP and IMAP logins, watched folders present' : 'Twilio account reachable') : s.detail}`);
  }

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
    if (email && !email.ok) {
      // The round trip goes out by SMTP and comes back by IMAP: it needs both.
      const down = [email.smtp?.ok !== false ? '' : 'SMTP', email.imap?.ok !== false ? '' : 'IMAP'].filter(Boolean);
      const which = down.length === 0 ? 'e-mail servers' : down.length === 1 ? `${down[0]} server` : 'SMTP and IMAP servers';
      say();
      say(`${c.yellow('skip  ')} round trip to our own address: it needs both servers, and the ${which} failed (see above).`);
    }
    if (email?.ok) {
      const own = /<([^>]+)>/.exec(settings.from!)?.[1] ?? settings.from!.trim();
      const [fresh] = await createChannels({ names: ['email'], settings, clock: systemClock, network: directory.network, wording, ...(insecureTls ? { insecureTls: true } : {}) });
      say();
      say(`Round trip: a ping to ${own} (our own address), waiting up to ${formatDuration(timeout)} for it in the inbox...`);
      trip = await roundTrip(fresh!, {
        address: own,
        from: settings.from!,
        clock: systemClock,
        timeoutMs: timeout * 1000,
        network: directory.network,
        trustedAuthservIds: settings.trustedAuthservIds ?? [],
      });
      if (trip.ok) {
        say(
          `${c.green('ok    ')} accepted ${trip.sentAt}, in ${trip.folder ?? 'the inbox'} at ${trip.receivedAt} (INTERNALDATE, in whole seconds, − send time: ${trip.seconds} s); ` +
            `seen by rollcall ${((trip.detectedAfterMs ?? 0) / 1000).toFixed(1)} s after it was sent.`,
        );
      } else say(`${c.red('FAILED')} round trip: ${trip.detail}`);
    }
  }

  // Will the contact points' servers trust our pings? SPF, DMARC, the DKIM key, the round trip's verdict.
  let authenticity: PingAuthenticity | undefined;
  if (names.includes('email') && servers.find((s) => s.channel === 'email')?.ok) {
    authenticity = await checkPingAuthenticity(settings, trip);
    say();
    for (const line of authenticity.lines(c)) say(line);
  }

  const phone = names.some(isPhone) ? await checkPhone({ names, settings, servers, network: directory.network, timeoutMs: timeout * 1000, ...phoneOptions }, say, c) : undefined;

  const settingsProblem = servers.some((s) => !s.ok && s.settingsProblem) || Boolean(phone?.number?.settingsProblem);
  const failed =
    servers.some((s) => !s.ok) || (trip !== undefined && !trip.ok) || authenticity?.failed === true || (phone !== undefined && !phoneOk(phone));
  const code = settingsProblem ? EXIT.cannotStart : failed ? EXIT.problems : EXIT.ok;
  if (o.json) {
    o.out.write(
      JSON.stringify(
        {
          ok: code === EXIT.ok,
          directory: { file: directoryFile, countries: snapshot.parties.length, ...(observers > 0 ? { observers } : {}), pings: pings.length },
          channels: names,
          servers,
          ...(rendered.length > 0 ? { ping: rendered[0], rendered } : {}),
          ...(trip ? { roundTrip: trip } : {}),
          ...(authenticity ? { authenticity: authenticity.report } : {}),
          ...(phone ? { phone } : {}),
        },
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

// --- SMS and voice ------------------------------------------------------------------------------

const isPhone = (n: ChannelName) => n === 'sms' || n === 'voice';

interface PhoneOptions {
  publicUrl?: string;
  webhookPort?: number;
  /** --to: the secretariat's own phone, E.164. */
  to?: string;
}

function parsePhoneOptions(opts: CheckOptions, names: ChannelName[]): PhoneOptions {
  const { publicUrl, webhookPort: port, to } = opts;
  if (port !== undefined && !publicUrl) throw new UsageError('--webhook-port: the webhook server runs only with --public-url');
  if ((publicUrl || to) && !names.some(isPhone)) throw new UsageError(`${to ? '--to' : '--public-url'} is for the phone channels: add --channels sms,voice`);
  const number = to?.replace(/[\s().-]/g, '');
  if (number !== undefined && !/^\+[1-9]\d{6,14}$/.test(number)) throw new UsageError(`--to: "${to}" is not a phone number in international form (e.g. +33 6 12 34 56 78)`);
  return { ...(publicUrl ? { publicUrl } : {}), ...(port !== undefined ? { webhookPort: parseWebhookPort(port) } : {}), ...(number ? { to: number } : {}) };
}

interface PhoneReport {
  number?: OwnNumberCheck;
  publicUrl?: PublicUrlResult;
  roundTrips?: PhoneRoundTrip[];
}

function phoneOk(p: PhoneReport): boolean {
  return (p.number?.ok ?? true) && (p.publicUrl?.ok ?? true) && (p.roundTrips ?? []).every((t) => t.ok);
}


/** Our number, the public URL, and with --to one SMS and one call to our own phone. */
async function checkPhone(
  opts: PhoneOptions & { names: ChannelName[]; settings: Settings; servers: ServerCheck[]; network: string; timeoutMs: number },
  say: (line?: string) => void,
  c: Palette,
): Promise<PhoneReport> {
  const report: PhoneReport = {};
  const phoneNames = opts.names.filter(isPhone);
  const mark = (ok: boolean) => (ok ? c.green('ok    ') : c.red('FAILED'));
  // Without working credentials nothing more can be asked of Twilio (the servers' lines said why).
  if (!opts.servers.some((s) => isPhone(s.channel as ChannelName) && s.ok)) return report;
  say();
  report.number = await checkOwnNumber(opts.settings, phoneNames);
  const n = report.number;
  say(`${mark(n.ok)} ${n.ok ? `${n.number} is a number of the account (IncomingPhoneNumbers), with ${[n.sms ? 'SMS' : '', n.voice ? 'voice' : ''].filter(Boolean).join(' and ')}` : n.detail}`);
  if (opts.publicUrl) {
    report.publicUrl = await checkWebhookUrl({ publicUrl: opts.publicUrl, authToken: opts.settings.twilioAuthToken!, ...(opts.webhookPort !== undefined ? { port: opts.webhookPort } : {}) });
    const u = report.publicUrl;
    say(`${mark(u.ok)} ${u.ok ? `${u.publicUrl} reaches the webhook server (a signed request to itself through it, ${u.ms} ms)` : u.detail}`);
  } else if (opts.names.includes('voice')) {
    say(c.yellow('note  ') + ' no --public-url: a run without it cannot hear key presses (a voice ping is then never an acknowledgement)');
  }
  if (opts.to && n.ok && (report.publicUrl?.ok ?? true)) {
    const channels = await createChannels({
      names: phoneNames,
      settings: opts.settings,
      clock: systemClock,
      network: opts.network,
      ...(opts.publicUrl ? { publicUrl: opts.publicUrl } : {}),
      ...(opts.webhookPort !== undefined ? { webhookPort: opts.webhookPort } : {}),
      notice: () => {},
    });
    const what = phoneNames.map((x) => (x === 'sms' ? 'an SMS (reply to it)' : 'a call (press 1)')).join(', then ');
    say(`Round trip: ${what} to ${opts.to} (your own phone), waiting up to ${formatDuration(opts.timeoutMs / 1000)} for each...`);
    report.roundTrips = await phoneRoundTrips(channels, { address: opts.to, clock: systemClock, timeoutMs: opts.timeoutMs, ...(opts.publicUrl ? { publicUrl: opts.publicUrl } : {}) });
    for (const t of report.roundTrips) {
      const label = t.channel === 'sms' ? 'SMS ' : 'call';
      say(
        !t.ok
          ? `${mark(false)} ${label} round trip: ${t.detail}`
          : t.seconds === undefined
            ? `${mark(true)} ${label} sent ${t.sentAt}: ${t.answer}`
            : `${mark(true)} ${label} sent ${t.sentAt}, answered ${t.answeredAt} (${t.answer}; − send time: ${t.seconds} s)` +
              (t.detectedAfterMs !== undefined ? `; seen by rollcall ${(t.detectedAfterMs / 1000).toFixed(1)} s after it was sent.` : '.'),
      );
    }
  }
  return report;
}
