// rollcall resume <run> [--resend-uncertain] [--yes] [--json]: continues a run after a stop, a
// kill -9 or a reboot, from its event log. Never sends a ping recorded as sent; pings whose
// sending was never confirmed are reported and sent again only with --resend-uncertain.
// Exit 0 when the window closed, 1 when stopped again (or locked by another process), 2 when it
// could not start (not a run folder, missing settings).
import { resolve } from 'node:path';
import { EXIT, UsageError } from '../core/errors.js';
import { createChannels, parseWebhookPort } from '../channels/factory.js';
import { systemClock, type Clock } from '../core/clock.js';
import { confirm } from './confirm.js';
import { describeFailure, shown, writeEnd } from './end-summary.js';
import { finishEndedRun } from '../run/finish.js';
import type { RunPlan } from '../core/run-folder.js';
import { createRunView } from './live-view.js';
import { readRunFolder } from '../run/plan.js';
import { runSession } from '../run/session.js';
import { readRunStatus } from '../run/status.js';
import { stopOnSignals, stoppedExitCode } from '../run/stop-signals.js';
import { loadSettings, type Settings } from '../settings.js';
import { runWording } from '../mail/templates.js';
import { createNotifier } from '../run/notify.js';
import { commandLine, type Output } from './output.js';
import type { Channel } from '../channels/channel.js';
import type { ResumeOptions } from './commands.js';
import { governHeap } from '../core/heap-governor.js';

export async function run(args: string[], opts: ResumeOptions, o: Output): Promise<number> {
  // A run holds every ping for hours: its heap is kept near what it holds (core/heap-governor.ts).
  governHeap();
  const arg = args[0];
  if (!arg) throw new UsageError('resume: give the run folder (runs/<id>)');
  const webhookPortText = opts.webhookPort;
  if (webhookPortText !== undefined && opts.publicUrl === undefined) throw new UsageError('--webhook-port: the webhook server runs only with --public-url');
  const webhookPort = webhookPortText !== undefined ? parseWebhookPort(webhookPortText) : undefined;
  const runDir = resolve(o.cwd, arg);
  const { plan, directory } = readRunFolder(runDir);
  const status = await readRunStatus(runDir);
  const resendUncertain = opts.resendUncertain === true;
  if (status.phase === 'ended') return finishEnded(runDir, plan, status.endedAt!, o);
  if (status.lock.held && !status.lock.stale) {
    // acquireLock says the same in detail; saying it before building channels keeps it quick.
    const l = status.lock;
    o.err.write(`rollcall: run ${plan.id} is being worked on by process ${l.pid} on ${l.host} (${l.command}, since ${l.since})\n`);
    return EXIT.problems;
  }

  let clock: Clock = systemClock;
  let channels: Channel[];
  let random: (() => number) | undefined;
  let from: string | undefined;
  let settings: Settings | undefined;
  if (plan.simulated) {
    // A demo run goes on with the same simulated contact points, in its own (virtual) time.
    if (!plan.sim) throw new UsageError(`run ${plan.id} is simulated but its plan has no seed: it cannot be resumed`);
    const { simChannelSetup } = await import('../run/demo.js');
    const setup = await simChannelSetup(runDir, plan, directory);
    ({ clock, channels, random, from } = setup);
  } else {
    settings = loadSettings(o.env, o.cwd);
    from = settings.from;
    channels = await createChannels({
      names: plan.channels,
      settings,
      clock,
      network: plan.network,
      folders: plan.folders,
      since: new Date(Date.parse(status.startedAt ?? plan.startAt) - 60_000),
      // The run remembers its public URL and webhook port: a resume listens again without being told.
      ...(opts.publicUrl !== undefined ? { publicUrl: opts.publicUrl } : plan.publicUrl ? { publicUrl: plan.publicUrl } : {}),
      ...(webhookPort !== undefined ? { webhookPort } : plan.webhookPort !== undefined && opts.publicUrl === undefined ? { webhookPort: plan.webhookPort } : {}),
      ...(opts.insecureTls ? { insecureTls: true } : {}),
      warn: (m) => o.err.write(`rollcall: ${m}\n`),
      wording: runWording(plan, status.startedAt),
      notice: (m) => (o.json ? o.err : o.out).write(`${m.charAt(0).toUpperCase()}${m.slice(1)}\n`),
    });
  }

  const toSend = status.pings.notStarted + status.pings.retrying + (resendUncertain ? status.pings.uncertain : 0);
  if (!o.json) {
    const p = status.pings;
    o.out.write(
      `Resuming run ${plan.id} (${status.phase}): ${p.sent} sent, ${p.failed} failed, ${p.retrying} to retry, ${p.uncertain} uncertain, ${p.notStarted} never started.\n`,
    );
  }
  if (!plan.simulated && toSend > 0 && o.interactive && !opts.yes) {
    if (!(await confirm(o, `Send the ${toSend} remaining ping${toSend === 1 ? '' : 's'}?`))) {
      o.err.write('Nothing sent.\n');
      return EXIT.problems;
    }
  }

  const stop = stopOnSignals({ err: o.err, continueWith: commandLine(o, `resume ${shown(runDir, o.cwd)}`), quit: (code) => process.exit(code) });
  try {
    const result = await runSession({
      runDir,
      plan,
      directory,
      channels,
      clock,
      command: 'resume',
      signal: stop.signal,
      resendUncertain,
      ...(random ? { random } : {}),
      ...(from ? { from } : {}),
      ...(plan.notify && settings
        ? { notify: createNotifier({ to: plan.notify, plan, directory, runDir, settings, insecureTls: opts.insecureTls === true, warn: (m) => o.err.write(`rollcall: ${m}\n`) }) }
        : {}),
      view: (events) => createRunView(o, { plan, directory, runDir, clock, events }),
    });
    if (!o.json || result.outcome === 'stopped' || result.uncertain.length > 0) {
      await writeEnd(o, result, { runDir, stoppedBy: stop.received, table: !o.json });
    }
    return result.outcome === 'stopped' ? stoppedExitCode(stop) : EXIT.ok;
  } catch (e) {
    return describeFailure(e, o.err, runDir, o.cwd, o.invocation);
  } finally {
    stop.dispose();
  }
}

/** A run whose window closed: its process may have been killed after `run-ended`, before its
 * reports were written or before it let go of the lock. Finishes that, and says what it did. */
async function finishEnded(runDir: string, plan: RunPlan, endedAt: string, o: Output): Promise<number> {
  const dir = shown(runDir, o.cwd);
  const done = await finishEndedRun({ runDir, plan, command: 'resume' });
  if (o.json) {
    o.out.write(
      JSON.stringify({
        runId: plan.id,
        endedAt,
        reportsWritten: done.written.map((r) => shown(r, o.cwd)),
        reportsPresent: done.present.map((r) => shown(r, o.cwd)),
        staleLockRemoved: done.staleLock ? { pid: done.staleLock.pid, host: done.staleLock.host, command: done.staleLock.command } : null,
        reportError: done.reportError ?? null,
      }) + '\n',
    );
  } else {
    const lines = [`Run ${plan.id} had already ended (${endedAt}); nothing was sent.`];
    if (done.staleLock) lines.push(`Removed the lock left by process ${done.staleLock.pid} (${done.staleLock.command}), which is gone.`);
    if (done.written.length > 0) lines.push(`Wrote the reports it was missing: ${done.written.map((r) => shown(r, o.cwd)).join(', ')}`);
    else if (!done.reportError) lines.push('Its reports are all there.');
    if (!done.staleLock && done.written.length === 0 && !done.reportError) lines.push('Nothing to do.');
    lines.push(`Figures: ${commandLine(o, `stats ${dir}`)}`);
    o.out.write(lines.join('\n') + '\n');
  }
  if (done.reportError) {
    o.err.write(`rollcall: the reports could not be written: ${done.reportError}. Try again with: ${commandLine(o, `resume ${dir}`)}\n`);
    return EXIT.problems;
  }
  return EXIT.ok;
}
