// What a run shows while it runs. On a terminal: a view redrawn in place (at most 4 times a
// second) with the pings by state, the countries answered by bucket, the last messages and the
// time left. Elsewhere: one plain line a minute of real time, and one at each phase. With --json:
// every event as a JSON line on stdout, nothing else.
import type { Directory } from '../core/directory.js';
import type { RunEvent, TestProblemEvent } from '../core/events.js';
import { formatDuration, thresholdLabel } from '../core/duration.js';
import type { Output } from './output.js';
import type { Clock } from '../core/clock.js';
import type { EnginePhase } from '../run/engine.js';
import type { RunView } from '../run/session.js';
import { RunProgress, type ProgressSnapshot } from '../run/progress.js';
import type { RunPlan } from '../core/run-folder.js';
import { displayNow } from '../core/virtual-clock.js';
import { formatWall } from '../core/time.js';
import { ignoredLine, outcomeLine } from './outcome-words.js';
import { palette, type Palette } from '../core/palette.js';


export interface ViewContext {
  plan: RunPlan;
  directory: Directory;
  runDir: string;
  clock: Clock;
  /** Events already in the log (a resumed run). */
  events: RunEvent[];
  /** Real-time interval of the plain progress lines (default one minute). */
  lineIntervalMs?: number;
}


export async function createRunView(o: Output, ctx: ViewContext): Promise<RunView> {
  if (o.json) return jsonView(o);
  const c = palette(o.color);
  return o.interactive ? new LiveView(o, ctx, c) : new LineView(o, ctx, c);
}

function jsonView(o: Output): RunView {
  return {
    phase: () => {},
    event: (e) => o.out.write(JSON.stringify(e) + '\n'),
    stop: () => {},
  };
}

/** Shared by both human views: the figures and the words for the phase. */
abstract class HumanView implements RunView {
  protected readonly progress: RunProgress;
  protected current: EnginePhase | undefined;
  /** Unconfirmed pings left unsent from before (a resume): uncertain, not in flight. */
  protected uncertain = 0;
  /** Problems of the test itself still going on (webhooks not arriving), by problem and channel. */
  protected readonly problems = new Map<string, TestProblemEvent>();

  constructor(
    protected readonly o: Output,
    protected readonly ctx: ViewContext,
    protected readonly c: Palette,
  ) {
    this.progress = new RunProgress(ctx.plan, ctx.directory, ctx.events);
    for (const e of ctx.events) this.noteProblem(e);
  }

  /** Keeps the test problems that are going on; true when `e` was one. */
  protected noteProblem(e: RunEvent): e is TestProblemEvent {
    if (e.type !== 'test-problem') return false;
    if (e.resolved) this.problems.delete(`${e.problem}:${e.channel}`);
    else if (!this.problems.has(`${e.problem}:${e.channel}`)) this.problems.set(`${e.problem}:${e.channel}`, e);
    return true;
  }

  abstract phase(p: EnginePhase): void;
  abstract event(e: RunEvent): void;
  abstract stop(): void;

  protected get secret(): boolean {
    return this.ctx.plan.schedule.kind === 'between' && !this.progress.state.startedAt;
  }

  protected time(d: Date): string {
    return `${formatWall(d, this.ctx.plan.tz)} ${this.ctx.plan.tz}`;
  }

  /** One line saying where the run is in time. */
  protected clockLine(): string {
    const now = displayNow(this.ctx.clock);
    const p = this.current;
    const plan = this.ctx.plan;
    if (!p || p.phase === 'waiting') {
      if (this.secret) return `waiting for the unannounced start (between ${plan.schedule.between} on ${plan.schedule.on}, ${plan.schedule.tz})`;
      const left = Math.max(0, (Date.parse(plan.startAt) - now.getTime()) / 1000);
      return `starts at ${this.time(new Date(plan.startAt))}, in ${formatDuration(left)}`;
    }
    if (p.phase === 'opening') return 'connecting to the servers';
    if (p.phase === 'catching-up') return 'window closed: last scan for answers';
    if (p.phase === 'ended') return 'window closed';
    const left = Math.max(0, (p.windowEnd.getTime() - now.getTime()) / 1000);
    return `${p.phase} · ${this.time(now)} · ${formatDuration(left)} left`;
  }

  protected pingLine(s: ProgressSnapshot): string {
    const k = s.counts;
    const parts = [`${k.sent} sent`, `${k.failed} failed`];
    if (k.retrying) parts.push(`${k.retrying} to retry`);
    const inFlight = Math.max(0, k.unconfirmed - this.uncertain);
    if (inFlight) parts.push(`${inFlight} in flight`);
    if (this.uncertain) parts.push(`${this.uncertain} uncertain`);
    if (k.notStarted) parts.push(`${k.notStarted} to send`);
    return `${parts.join(', ')} (of ${k.planned})`;
  }

  protected bucketSummary(s: ProgressSnapshot): string {
    return s.buckets.map((b) => `${thresholdLabel(b.thresholdSeconds)}: ${b.responded}`).join(', ');
  }
}

class LiveView extends HumanView {
  private drawn = 0;
  private pending: NodeJS.Timeout | undefined;
  private lastDraw = 0;
  private readonly ticker: NodeJS.Timeout;

  constructor(o: Output, ctx: ViewContext, c: Palette) {
    super(o, ctx, c);
    this.ticker = setInterval(() => this.request(), 1000);
    this.ticker.unref();
    this.draw();
  }

  phase(p: EnginePhase): void {
    this.current = p;
    if (p.phase === 'sending') this.uncertain = p.uncertain;
    this.request();
  }

  event(e: RunEvent): void {
    this.progress.add(e);
    this.noteProblem(e);
    this.request();
  }

  stop(): void {
    clearInterval(this.ticker);
    if (this.pending) clearTimeout(this.pending);
    this.pending = undefined;
    this.draw(true);
  }

  /** Redraws now, or later so that the screen changes at most 4 times a second. */
  private request(): void {
    if (this.pending) return;
    const wait = Math.max(0, this.lastDraw + 250 - Date.now());
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.draw();
    }, wait);
    this.pending.unref();
  }

  private draw(final = false): void {
    this.lastDraw = Date.now();
    const c = this.c;
    const s = this.progress.snapshot(5, final);
    const width = Math.max(40, (this.o.out as { columns?: number }).columns || 100);
    const lines = [c.bold(`rollcall · ${this.ctx.plan.id} · ${this.clockLine()}`)];
    // Cut to the width like every line: the short form, the full words went to stderr.
    for (const p of this.problems.values()) lines.push(c.bold(c.red(`WARNING  no webhook from Twilio since ${formatWall(new Date(p.since), this.ctx.plan.tz).slice(11)}: the public URL does not forward, key presses are lost`)));
    lines.push(`Pings     ${this.pingLine(s)}`, `Answered  ${c.bold(String(s.answered))} of ${s.population} countries`);
    for (const b of s.buckets) {
      const bar = s.population > 0 ? '█'.repeat(Math.round((b.responded / s.population) * 30)) : '';
      lines.push(`  ${thresholdLabel(b.thresholdSeconds).padEnd(11)} ${String(b.responded).padStart(4)}  ${c.green(bar)}`);
    }
    lines.push(`Outcomes  ${outcomeLine(s.outcomes)}`);
    if (s.recent.length > 0) {
      lines.push(`Last messages (${this.ctx.plan.tz})`);
      for (const m of s.recent) {
        const at = formatWall(new Date(m.receivedAt), this.ctx.plan.tz).slice(11);
        const who = `${m.country}${m.contactId ? ` (${m.contactId})` : ''}`;
        const cls = m.class === 'reply' ? c.green(m.class.padEnd(12)) : c.yellow(m.class.padEnd(12));
        const after = m.otherTest ? c.dim(`answers another test (${m.otherTest.token})`) : m.responseSeconds !== undefined ? formatDuration(m.responseSeconds) : '';
        lines.push(`  ${at}  ${who.slice(0, 40).padEnd(40)} ${cls} ${after}`);
      }
    }
    if (s.ignored > 0) lines.push(c.dim(ignoredLine(s.ignored)));
    // Lines are cut to the terminal's width so that none wraps and the redraw stays in place.
    const text = lines.map((l) => truncate(l, width - 1)).join('\n');
    const up = this.drawn > 0 ? `\x1b[${this.drawn}F\x1b[0J` : '';
    this.o.out.write(up + text + '\n');
    this.drawn = lines.length;
  }
}

class LineView extends HumanView {
  private readonly ticker: NodeJS.Timeout;

  constructor(o: Output, ctx: ViewContext, c: Palette) {
    super(o, ctx, c);
    this.ticker = setInterval(() => this.line(), ctx.lineIntervalMs ?? 60_000);
    this.ticker.unref();
  }

  phase(p: EnginePhase): void {
    this.current = p;
    if (p.phase === 'sending') this.uncertain = p.uncertain;
    if (p.phase === 'opening') return;
    if (p.phase === 'waiting') {
      if (this.secret || p.startAt.getTime() > this.ctx.clock.now().getTime() + 1000) this.say(this.clockLine());
    } else if (p.phase === 'sending') {
      this.say(`started at ${this.time(p.startedAt)}; sending ${p.jobs} ping${p.jobs === 1 ? '' : 's'}; window closes at ${this.time(p.windowEnd)}`);
    } else if (p.phase === 'watching') {
      this.line('all pings sent');
    } else if (p.phase === 'catching-up') {
      this.say('window closed: last scan for answers');
    }
  }

  event(e: RunEvent): void {
    this.progress.add(e);
    if (this.noteProblem(e)) this.say(e.resolved ? e.detail : this.c.bold(this.c.red(`WARNING: ${e.detail}`)));
  }

  stop(): void {
    clearInterval(this.ticker);
    if (this.progress.state.startedAt) this.line('end', true);
  }

  private say(text: string): void {
    const now = this.ctx.clock.now();
    // The zone is named on every line: a log read later, elsewhere, must not be ambiguous.
    this.o.out.write(`${this.c.dim(`[${this.time(now)}]`)} ${text}\n`);
  }

  private line(prefix?: string, final = false): void {
    if (!this.progress.state.startedAt) return this.say(this.clockLine());
    const s = this.progress.snapshot(0, final);
    const ignored = s.ignored > 0 ? ` · ${s.ignored} unrelated ignored` : '';
    this.say(`${prefix ? `${prefix} · ` : ''}${this.clockLine()} · pings ${this.pingLine(s)} · answered ${s.answered}/${s.population} (${this.bucketSummary(s)}) · ${outcomeLine(s.outcomes)}${ignored}`);
  }
}

/** A colour code (ESC [ ... m). */
const ANSI_SGR = new RegExp(`^${String.fromCharCode(27)}\\[[0-9;]*m`);

/** Cuts a line to a visible width, leaving ANSI colour codes out of the count. */
function truncate(line: string, width: number): string {
  let visible = 0;
  let out = '';
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\x1b') {
      const m = ANSI_SGR.exec(line.slice(i));
      if (m) {
        out += m[0];
        i += m[0].length - 1;
        continue;
      }
    }
    if (visible >= width) continue;
    out += line[i];
    visible++;
  }
  return out;
}
