// rollcall service <run> [--cron] [--user] [--env-file f]: what makes a run outlive reboots — a
// systemd unit (or a crontab @reboot line) that calls `rollcall resume <run> --yes` at boot.
// Resume is idempotent: nothing is sent twice, and a run that has ended is left as it is (exit 0),
// so the unit may stay installed after the test. Printed, never installed: installing is the
// administrator's decision. Secrets stay in the environment file, never in the unit.
import { realpathSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT, UsageError } from '../core/errors.js';
import { RunFolder, runPaths } from '../core/run-folder.js';
import type { Output } from './output.js';
import type { ServiceOptions } from './commands.js';

const BIN = fileURLToPath(new URL('../../bin/rollcall.js', import.meta.url));

export interface ServiceSpec {
  runId: string;
  /** Absolute paths. */
  runDir: string;
  workingDirectory: string;
  envFile: string;
  node: string;
  bin: string;
  /** Options resume needs again (--public-url...). */
  resumeArgs: string[];
  /** A user unit (systemctl --user): no User=, wanted by default.target. */
  userUnit: boolean;
  user: string;
}

/** One argument of ExecStart: quoted when it holds blanks or quotes; `%` and `$` escaped. */
function unitArg(arg: string): string {
  const escaped = arg.replace(/%/g, '%%').replace(/\$/g, '$$$$');
  return /[\s"'\\]/.test(escaped) ? `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : escaped;
}

/** A path in a unit setting that takes one path (WorkingDirectory, EnvironmentFile). */
function unitPath(path: string): string {
  return path.replace(/%/g, '%%');
}

/** One word for /bin/sh, in single quotes; `%` escaped for cron (it ends the command there). */
function shellArg(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg.replace(/%/g, '\\%') : `'${arg.replace(/'/g, `'\\''`).replace(/%/g, '\\%')}'`;
}

export function systemdUnit(s: ServiceSpec): string {
  const exec = [s.node, s.bin, 'resume', s.runDir, '--yes', ...s.resumeArgs].map(unitArg).join(' ');
  const log = runPaths(s.runDir).log;
  return [
    `# rollcall: resumes run ${s.runId} at boot, until its window has closed (then it exits 0 at once).`,
    `# Install: save this as ${s.userUnit ? `~/.config/systemd/user/rollcall-${s.runId}.service` : `/etc/systemd/system/rollcall-${s.runId}.service`}, then`,
    `#   ${s.userUnit ? 'systemctl --user' : 'sudo systemctl'} daemon-reload && ${s.userUnit ? 'systemctl --user' : 'sudo systemctl'} enable rollcall-${s.runId}.service`,
    `# (enable: at every boot; add --now to start it now, when no other process works on the run).`,
    ...(s.userUnit ? ['# A user unit starts at boot only with lingering on: loginctl enable-linger'] : []),
    `# Settings and secrets: ${s.envFile}, one NAME='value' a line (ROLLCALL_SMTP_URL, ROLLCALL_IMAP_URL, ROLLCALL_FROM...), chmod 600.`,
    '[Unit]',
    `Description=rollcall: responsiveness test run ${s.runId}`,
    'Wants=network-online.target',
    'After=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    ...(s.userUnit ? [] : [`User=${s.user}`]),
    `WorkingDirectory=${unitPath(s.workingDirectory)}`,
    `EnvironmentFile=${unitPath(s.envFile)}`,
    `ExecStart=${exec}`,
    '# 1: stopped before the window closed (a server away, the run locked): try again later.',
    'Restart=on-failure',
    'RestartSec=5min',
    '# 2: it cannot start (settings, run folder): fix that, then start the unit again.',
    'RestartPreventExitStatus=2',
    '# 130/143: stopped by a signal (systemctl stop, shutdown); resume continues at the next boot.',
    'SuccessExitStatus=130 143',
    'KillSignal=SIGTERM',
    'TimeoutStopSec=90',
    `StandardOutput=append:${unitPath(log)}`,
    `StandardError=append:${unitPath(log)}`,
    '',
    '[Install]',
    `WantedBy=${s.userUnit ? 'default.target' : 'multi-user.target'}`,
    '',
  ].join('\n');
}

export function cronLine(s: ServiceSpec): string {
  const log = runPaths(s.runDir).log;
  const command = [s.node, s.bin, 'resume', s.runDir, '--yes', ...s.resumeArgs].map(shellArg).join(' ');
  return (
    `# rollcall: resumes run ${s.runId} at boot (add with crontab -e; ${s.envFile} holds NAME='value' lines, chmod 600)\n` +
    `@reboot cd ${shellArg(s.workingDirectory)} && set -a && . ${shellArg(s.envFile)} && set +a && exec ${command} >> ${shellArg(log)} 2>&1\n`
  );
}

export async function run(args: string[], opts: ServiceOptions, o: Output): Promise<number> {
  const arg = args[0];
  if (!arg) throw new UsageError('service: give the run folder (runs/<id>)');
  const folder = RunFolder.open(resolve(o.cwd, arg), arg);
  const plan = folder.plan();
  if (plan.simulated) throw new UsageError(`run ${plan.id} is a demo: it has no service to run at boot`);
  const envText = opts.envFile;
  const envFile = envText.startsWith('~/') ? join(homedir(), envText.slice(2)) : resolve(o.cwd, envText);
  const spec: ServiceSpec = {
    runId: plan.id,
    runDir: realpathSync(folder.dir),
    workingDirectory: realpathSync(o.cwd),
    envFile,
    node: process.execPath,
    bin: realpathSync(BIN),
    resumeArgs: [
      ...(opts.publicUrl ? ['--public-url', opts.publicUrl] : []),
      ...(opts.webhookPort ? ['--webhook-port', opts.webhookPort] : []),
      ...(opts.insecureTls ? ['--insecure-tls'] : []),
    ],
    userUnit: opts.user === true,
    user: userInfo().username,
  };
  o.out.write(opts.cron ? cronLine(spec) : systemdUnit(spec));
  return EXIT.ok;
}
