// rollcall check --directory f [--channels email,sms,voice] [--timeout 2m] [--json]: everything
// short of the test, the day before it. Validates the directory and the settings, logs in to the
// servers, shows one rendered ping, and times a ping sent to the secretariat's own address through
// the real servers. Nothing is sent to contact points. Exit 0 all good, 1 a server failed or the
// round trip did not complete, 2 bad settings or directory.
import { EXIT, UsageError } from '../core/errors.js';
import { readDirectory } from '../directory/load.js';
import { checkChannelSettings, createChannels, parseChannels } from '../channels/factory.js';
import { systemClock } from '../core/clock.js';
import { checkServers, roundTrip, type RoundTrip, type ServerCheck } from '../run/check.js';
import { checkPingAuthenticity, type PingAuthenticity } from './check-authenticity.js';
import { directorySnapshot, planPings } from '../run/plan.js';
import { loadSettings } from '../settings.js';
import { formatDuration, parseDuration } from '../core/duration.js';
import { paint, type Output } from './output.js';

export async function run(_args: string[], opts: Record<string, unknown>, o: Output): Promise<number> {
  const str = (k: string) => (typeof opts[k] === 'string' ? (opts[k] as string) : undefined);
  const timeoutText = str('timeout') ?? '2m';
  const timeout = parseDuration(timeoutText);
  if (timeout === undefined) throw new UsageError(`--timeout: "${timeoutText}" is not a duration (e.g. 90s, 2m)`);
  const names = parseChannels(str('channels') ?? 'email');
  const directoryFile = str('directory')!;
  const directory = await readDirectory(directoryFile, { cwd: o.cwd, ...(str('sheet') !== undefined ? { sheet: str('sheet') } : {}) });
  const settings = loadSettings(o.env, o.cwd);
  checkChannelSettings(names, settings);
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

  let rendered: { from: string; to: string; subject: string; messageId: string; language: string; text: string } | undefined;
  let trip: RoundTrip | undefined;
  if (names.includes('email')) {
    const sample = pings.find((p) => p.channel === 'email');
    if (sample) {
      const { composePing } = await import('../mail/compose.js');
      const { newToken } = await import('../mail/token.js');
      const composed = composePing({ ...sample, token: newToken() }, { from: settings.from!, subject: settings.subject, network: directory.network });
      rendered = { from: composed.from, to: composed.to, subject: composed.subject, messageId: composed.messageId, language: composed.language, text: composed.text };
      say();
      say(c.bold(`The ping ${sample.country} (${sample.contactId}) would get:`));
      say(c.dim(`From: ${composed.from}\nTo: ${composed.to}\nSubject: ${composed.subject}\nMessage-ID: ${composed.messageId}\n`));
      say(composed.text.trimEnd().replace(/^/gm, '  '));
    }
    const email = servers.find((s) => s.channel === 'email');
    if (email?.ok) {
      const own = /<([^>]+)>/.exec(settings.from!)?.[1] ?? settings.from!.trim();
      const [fresh] = await createChannels({ names: ['email'], settings, clock: systemClock, network: directory.network, ...(insecureTls ? { insecureTls: true } : {}) });
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

  const settingsProblem = servers.some((s) => !s.ok && s.settingsProblem);
  const failed = servers.some((s) => !s.ok) || (trip !== undefined && !trip.ok) || authenticity?.failed === true;
  const code = settingsProblem ? EXIT.cannotStart : failed ? EXIT.problems : EXIT.ok;
  if (o.json) {
    o.out.write(
      JSON.stringify(
        { ok: code === EXIT.ok, directory: { file: directoryFile, countries: directory.parties.length, pings: pings.length }, channels: names, servers, ...(rendered ? { ping: rendered } : {}), ...(trip ? { roundTrip: trip } : {}), ...(authenticity ? { authenticity: authenticity.report } : {}) },
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
