// rollcall run --detach: the run folder is created in the foreground (every check done, the
// confirmation asked), then `rollcall resume <run> --yes` goes on in a process of its own session
// — no terminal, so closing the terminal or logging out does not stop it — writing its output to
// <run>/run.log. Returns once that process holds the run's lock (or has already failed).
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EXIT, WorkError } from '../core/errors.js';
import { runPaths, type RunPlan } from '../core/run-folder.js';
import { inspectLock } from '../run/lock.js';
import { shown } from './end-summary.js';
import { commandLine, type Output } from './output.js';

/** The package's own entry point: the detached process does not depend on PATH or npx. */
const BIN = fileURLToPath(new URL('../../bin/rollcall.js', import.meta.url));

export interface DetachOptions {
  runDir: string;
  plan: RunPlan;
  /** Options `resume` needs again (--public-url, --webhook-port, --insecure-tls). */
  resumeArgs: string[];
  /** How long to wait for the background process to take the run (default 20 s). */
  waitMs?: number;
}

export async function detach(o: Output, d: DetachOptions): Promise<number> {
  const log = runPaths(d.runDir).log;
  const fd = openSync(log, 'a');
  let pid: number | undefined;
  try {
    writeSync(fd, `rollcall run --detach: run ${d.plan.id} handed to a background process at ${new Date().toISOString()}\n`);
    const child = spawn(process.execPath, [BIN, 'resume', d.runDir, '--yes', ...d.resumeArgs], {
      cwd: o.cwd,
      // Its hints ("continue with: ...") name rollcall as the user typed it here.
      env: { ...o.env, ROLLCALL_INVOCATION: commandLine(o, '').trim() },
      // A new session: no controlling terminal, so no SIGHUP when the terminal closes.
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    pid = child.pid;
    let exited: number | undefined;
    child.on('exit', (code) => (exited = code ?? EXIT.problems));
    const deadline = Date.now() + (d.waitMs ?? 20_000);
    while (exited === undefined && Date.now() < deadline) {
      const lock = inspectLock(d.runDir);
      if (lock.held && lock.info?.pid === pid) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    child.unref();
    if (exited !== undefined && exited !== EXIT.ok) {
      const tail = readFileSync(log, 'utf8').trimEnd().split('\n').slice(-5).join('\n');
      o.err.write(`${tail}\n`);
      throw new WorkError(`the background process of run ${d.plan.id} stopped at once (exit ${exited}); its output is in ${shown(log, o.cwd)}`);
    }
  } finally {
    closeSync(fd);
  }
  const dir = shown(d.runDir, o.cwd);
  if (o.json) {
    o.out.write(JSON.stringify({ runId: d.plan.id, runDir: dir, pid, log: shown(log, o.cwd) }, null, 2) + '\n');
    return EXIT.ok;
  }
  o.out.write(
    [
      `Detached: process ${pid} runs it in the background; its output goes to ${shown(log, o.cwd)}.`,
      `Follow it:  ${commandLine(o, `status ${dir}`)}   (or: tail -f ${shown(log, o.cwd)})`,
      `Stop it:    kill ${pid}   (it stops cleanly; ${commandLine(o, `resume ${dir}`)} continues it)`,
      `Reboots:    ${commandLine(o, `service ${dir}`)} prints a systemd unit (--cron: a crontab line) that resumes it at boot`,
      '',
    ].join('\n'),
  );
  return EXIT.ok;
}
