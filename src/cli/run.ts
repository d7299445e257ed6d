// rollcall run --directory f [--at t | --between HH:MM-HH:MM --on d --tz z] [--window 24h] ...
// Checks the directory and the settings, plans the run folder, asks before real pings leave (on a
// terminal, unless --yes), then runs it with a live view. Exit 0 when the window closed, 1 when
// stopped before (resume continues), 2 when it could not start.
import { resolve } from 'node:path';
import { EXIT, formatProblem, UsageError } from '../core/errors.js';
import { readDirectory } from '../directory/load.js';
import { checkChannelSettings, checkPublicUrl, createChannels, parseChannels, parseWebhookPort } from '../channels/factory.js';
import { systemClock } from '../core/clock.js';
import { confirm } from './confirm.js';
import { describeFailure, shown, writeEnd } from './end-summary.js';
import { createRunView } from './live-view.js';
import { createRun, directorySnapshot, planPings } from '../run/plan.js';
import { parseSchedule } from '../run/schedule.js';
import { runSession } from '../run/session.js';
import { stopOnSignals, stoppedExitCode } from '../run/stop-signals.js';
import { formatWall } from '../core/time.js';
import { loadSettings, authenticityOption } from '../settings.js';
import { configuredTemplates, runWording } from '../mail/templates.js';
import { checkNotifySettings, createNotifier, parseNotifyAddresses } from '../run/notify.js';
import { parseBuckets } from '../stats/buckets.js';
import { formatDuration, parseDuration } from '../core/duration.js';
import { commandLine, type Output } from './output.js';
import type { RunOptions } from './commands.js';
import { governHeap } from '../core/heap-governor.js';

export async function run(_args: string[], opts: RunOptions, o: Output): Promise<number> {
  // A run holds every ping for hours: its heap is kept near what it holds (core/heap-governor.ts).
  governHeap();
  const windowText = opts.window;
  const windowSeconds = parseDuration(windowText);
  if (windowSeconds === undefined || !Number.isInteger(windowSeconds)) throw new UsageError(`--window: "${windowText}" is not a duration in whole seconds (e.g. 24h, 90m)`);
  const bucketSeconds = parseBuckets(opts.buckets);
  const channels = parseChannels(opts.channels);
  const folders = opts.folders.split(',').map((f) => f.trim()).filter(Boolean);
  const includeObservers = opts.includeObservers === true;
  const tz = opts.tz;
  const publicUrl = opts.publicUrl;
  const webhookPortText = opts.webhookPort;
  if (webhookPortText !== undefined && !publicUrl) throw new UsageError('--webhook-port: the webhook server runs only with --public-url');
  const webhookPort = webhookPortText !== undefined ? parseWebhookPort(webhookPortText) : undefined;
  const notify = opts.notify !== undefined ? parseNotifyAddresses(opts.notify) : [];
  const warn = (m: string) => o.err.write(`rollcall: ${m}\n`);

  // Everything that can be wrong is checked before anything is created or sent.
  const directoryFile = opts.directory;
  const directory = await readDirectory(directoryFile, { cwd: o.cwd, ...(opts.sheet !== undefined ? { sheet: opts.sheet } : {}) });
  const settings = loadSettings(o.env, o.cwd);
  checkChannelSettings(channels, settings);
  const authenticity = authenticityOption(opts.authenticity) ?? settings.authenticity ?? 'report';
  if (notify.length > 0) checkNotifySettings(settings);
  // The office's templates: every problem in them stops the run before anything is created.
  const templates = configuredTemplates(settings.templates, o.cwd);
  for (const w of templates?.warnings ?? []) warn(`warning: ${formatProblem(w)}`);
  if (publicUrl) {
    const { parsePublicUrl } = await import('../channels/webhooks.js');
    parsePublicUrl(publicUrl);
  }
  const schedule = parseSchedule({ at: opts.at, between: opts.between, on: opts.on, tz }, new Date(), Math.random);
  const snapshot = directorySnapshot(directory, includeObservers);
  const pings = planPings(snapshot, channels);
  if (pings.length === 0) throw new UsageError(`no contact point in ${directoryFile} has an address for ${channels.join(', ')}: nothing to send`);
  const lastBucket = bucketSeconds[bucketSeconds.length - 1]!;
  if (lastBucket > windowSeconds && !o.json) {
    o.err.write(`rollcall: warning: the last bucket (${formatDuration(lastBucket)}) is longer than the window (${formatDuration(windowSeconds)}): answers after the window are not watched for\n`);
  }

  if (publicUrl && channels.some((c) => c === 'sms' || c === 'voice')) {
    // The tunnel is checked now, before the run exists, and again when the run starts.
    const ms = await checkPublicUrl({ publicUrl, authToken: settings.twilioAuthToken!, ...(webhookPort !== undefined ? { port: webhookPort } : {}) });
    if (!o.json) o.out.write(`Public URL ${publicUrl} reaches the webhook server (a signed request to itself, ${ms} ms).\n`);
  }

  const contacts = new Set(pings.map((p) => p.contactId)).size;
  const when = schedule.window
    ? `at an unannounced time between ${formatWall(schedule.window.from, tz)} and ${formatWall(schedule.window.to, tz)} (${tz})`
    : schedule.plan.kind === 'now'
      ? 'now'
      : `at ${formatWall(schedule.startAt, tz)} (${tz})`;
  const what = `${pings.length} ping${pings.length === 1 ? '' : 's'} (${channels.join(', ')}) to ${contacts} contact points of ${snapshot.parties.length} countries`;
  if (o.interactive && !opts.yes) {
    if (!(await confirm(o, `Send ${what} ${when}?`))) {
      o.err.write('Nothing sent; no run created.\n');
      return EXIT.problems;
    }
  }

  const { runDir, plan } = createRun({
    runsDir: resolve(o.cwd, opts.runsDir),
    directory,
    directoryFile,
    schedule,
    windowSeconds,
    bucketSeconds,
    channels,
    includeObservers,
    folders,
    tz,
    ...(templates ? { templates: templates.templates } : {}),
    ...(notify.length > 0 ? { notify } : {}),
    authenticity,
    ...(publicUrl ? { publicUrl } : {}),
    ...(webhookPort !== undefined ? { webhookPort } : {}),
    now: new Date(),
    random: Math.random,
  });
  if (!o.json) {
    o.out.write(`Run ${plan.id}: ${what}, ${when}; watching ${formatDuration(windowSeconds)} from the start.\nRun folder: ${shown(runDir, o.cwd)}\n`);
  }

  if (opts.detach) {
    const resumeArgs = [
      ...(publicUrl ? ['--public-url', publicUrl] : []),
      ...(webhookPortText !== undefined ? ['--webhook-port', webhookPortText] : []),
      ...(opts.insecureTls ? ['--insecure-tls'] : []),
    ];
    const { detach } = await import('./detach.js');
    return detach(o, { runDir, plan, resumeArgs });
  }

  const clock = systemClock;
  const stop = stopOnSignals({ err: o.err, continueWith: commandLine(o, `resume ${shown(runDir, o.cwd)}`), quit: (code) => process.exit(code) });
  try {
    const channelObjs = await createChannels({
      names: channels,
      settings,
      clock,
      network: directory.network,
      folders,
      since: new Date(schedule.startAt.getTime() - 60_000),
      ...(opts.insecureTls ? { insecureTls: true } : {}),
      ...(publicUrl ? { publicUrl } : {}),
      ...(webhookPort !== undefined ? { webhookPort } : {}),
      warn,
      wording: runWording(plan),
      // The port the tunnel must point at: plain output (stderr under --json, stdout is JSON lines).
      notice: (m) => (o.json ? o.err : o.out).write(`${m.charAt(0).toUpperCase()}${m.slice(1)}\n`),
    });
    const result = await runSession({
      runDir,
      plan,
      directory: snapshot,
      channels: channelObjs,
      clock,
      command: 'run',
      signal: stop.signal,
      ...(settings.from ? { from: settings.from } : {}),
      ...(plan.notify ? { notify: createNotifier({ to: plan.notify, plan, directory: snapshot, runDir, settings, insecureTls: opts.insecureTls === true, warn }) } : {}),
      view: (events) => createRunView(o, { plan, directory: snapshot, runDir, clock, events }),
    });
    for (const w of result.warnings) warn(`warning: ${w.message}`);
    if (!o.json || result.outcome === 'stopped') {
      await writeEnd(o, result, { runDir, stoppedBy: stop.received, table: !o.json });
    }
    return result.outcome === 'stopped' ? stoppedExitCode(stop) : EXIT.ok;
  } catch (e) {
    return describeFailure(e, o.err, runDir, o.cwd, o.invocation);
  } finally {
    stop.dispose();
  }
}

