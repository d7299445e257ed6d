// rollcall status <run> [--json]: where a run stands — phase, planned start, pings by state,
// answers by bucket and outcomes (so far, or final with marks applied), whether a process holds
// it. Read-only: safe while the run runs.
import { resolve } from 'node:path';
import { EXIT, UsageError } from '../core/errors.js';
import { shown } from './end-summary.js';
import { readRunStatus, type RunStatus } from '../run/status.js';
import { ignoredLine, originLine, outcomeLine } from './outcome-words.js';
import { formatWall } from '../core/time.js';
import { formatDuration, thresholdLabel } from '../core/duration.js';
import { commandLine, type Output } from './output.js';
import { palette } from '../core/palette.js';
import type { StatusOptions } from './commands.js';

const PHASE_WORDS = (resume: string): Record<RunStatus['phase'], string> => ({
  scheduled: `scheduled, no process waiting for the start (${resume} starts it)`,
  waiting: 'waiting for the start',
  sending: 'sending pings',
  watching: 'watching for answers',
  stopped: `stopped before the window closed (${resume} continues it)`,
  ended: 'ended',
});

export async function run(args: string[], _opts: StatusOptions, o: Output): Promise<number> {
  const arg = args[0];
  if (!arg) throw new UsageError('status: give the run folder (runs/<id>)');
  const s = await readRunStatus(resolve(o.cwd, arg));
  if (o.json) {
    o.out.write(JSON.stringify({ ...s, runDir: arg }, null, 2) + '\n');
    return EXIT.ok;
  }
  const c = palette(o.color);
  const tz = s.tz;
  const at = (iso: string) => `${formatWall(new Date(iso), tz)} ${tz}`;
  const lines: string[] = [];
  lines.push(c.bold(`Run ${s.runId}${s.simulated ? ' (simulated)' : ''} — ${s.network}`));
  const resume = commandLine(o, `resume ${shown(s.runDir, o.cwd)}`);
  lines.push(
    `Phase:     ${
      s.phase === 'stopped' && !s.startedAt
        ? `stopped before it started: its start time has passed and no process is running it (it stopped on an error, or its process was ended; ${resume} starts it now)`
        : PHASE_WORDS(resume)[s.phase]
    }`,
  );
  const start = s.unannouncedStart
    ? `${at(s.plannedStart)} — drawn at random between ${s.between}; not to be announced${s.startedAt ? '' : ' before it starts'}`
    : at(s.plannedStart);
  lines.push(`Start:     ${s.startedAt ? `started ${at(s.startedAt)}` : `planned ${start}`}`);
  if (s.startedAt && s.unannouncedStart) lines.push(`           (planned ${start})`);
  if (s.windowEnd) lines.push(`Window:    ${s.endedAt ? 'closed' : 'closes'} ${at(s.windowEnd)}`);
  const p = s.pings;
  const parts = [`${p.sent} sent`, `${p.failed} failed`, `${p.retrying} to retry`];
  if (p.inFlight) parts.push(`${p.inFlight} in flight`);
  parts.push(`${p.uncertain} uncertain`, `${p.notStarted} not started`);
  lines.push(`Pings:     ${parts.join(', ')} (of ${p.planned}; ${s.channels.join(', ')})`);
  if (p.uncertain > 0) lines.push(c.yellow(`           ${p.uncertain} uncertain: sending started but was never confirmed; resume --resend-uncertain sends them again`));
  const a = s.answers;
  lines.push(`Answered:  ${a.answered} of ${a.population} countries${a.final ? ' (final figures, marks applied)' : ' so far'}`);
  for (const b of a.buckets) lines.push(`           ${thresholdLabel(b.thresholdSeconds).padEnd(11)} ${String(b.responded).padStart(4)}`);
  lines.push(`Outcomes:  ${outcomeLine(a.outcomes)}${a.final ? '' : ' so far'}`);
  const byHand = a.overrides.filter((o) => o.handEntered && o.applied);
  for (const o of byHand) {
    lines.push(`           entered by hand: ${o.contactId} answered ${at(o.handEntered!.answeredAt)} by ${o.handEntered!.channel} — "${o.note}"`);
  }
  const corrections = a.overrides.filter((o) => !o.handEntered).length;
  if (corrections > 0) lines.push(`Marks:     ${corrections} correction${corrections === 1 ? '' : 's'} (rollcall stats ${shown(s.runDir, o.cwd)} lists them)`);
  if (a.authenticity) lines.push(`Origin:    ${originLine(a.authenticity)}`);
  if (a.recent.length > 0) {
    lines.push('Last messages:');
    for (const m of a.recent) {
      const what = m.otherTest ? `${m.class} (answers another test: ${m.otherTest.token}${m.otherTest.runId ? `, run ${m.otherTest.runId}` : ''})` : m.class;
      lines.push(`           ${at(m.receivedAt)}  ${m.country}${m.contactId ? ` (${m.contactId})` : ''}  ${what}${m.responseSeconds !== undefined ? `  ${formatDuration(m.responseSeconds)}` : ''}`);
    }
  }
  if (a.ignored > 0) lines.push(`Ignored:   ${ignoredLine(a.ignored)}`);
  if (s.missingReports && s.missingReports.length > 0) {
    lines.push(c.yellow(`Reports:   missing ${s.missingReports.map((r) => r.replace(/^.*\./, '')).join(', ')} (the process stopped before writing them); rollcall resume writes them`));
  }
  const l = s.lock;
  lines.push(
    `Process:   ${
      !l.held
        ? 'none is working on it'
        : l.stale
          ? `none (a stale lock of process ${l.pid ?? '?'} on ${l.host ?? '?'} is left; the next resume ${s.phase === 'ended' ? 'removes' : 'takes over'} it)`
          : `${l.command} — process ${l.pid} on ${l.host}, since ${l.since}`
    }`,
  );
  lines.push(`Folder:    ${shown(s.runDir, o.cwd)}`);
  for (const w of s.warnings) lines.push(c.dim(`note: ${w.message}`));
  o.out.write(lines.join('\n') + '\n');
  return EXIT.ok;
}
