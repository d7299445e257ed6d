// A clock whose time moves only from timer to timer: when nothing else can run, it jumps to the
// next pending sleep. A 24-hour window runs at full speed (tests, the benchmark) or paced at N
// times real time (the demo), and every event lands at the same clock time on every run.
import type { Clock } from './clock.js';

interface Timer {
  due: number;
  seq: number;
  resolve: () => void;
}

export interface VirtualClockOptions {
  /** Clock time at creation. */
  start: Date;
  /** Jump to the next timer after waiting (gap ÷ pace) of real time; omitted: at once. */
  pace?: number;
}

export class VirtualClock implements Clock {
  private nowMs: number;
  private readonly timers: Timer[] = [];
  private seq = 0;
  private holds = 0;
  private scheduled = false;
  /** Something happened since the last turn: let it settle one more turn before jumping. */
  private busy = false;
  /** Real-time wait of a paced clock before its next jump, and the timer it waits for. */
  private pacing: { timer: NodeJS.Timeout; to: number } | undefined;
  private readonly realStart = Date.now();

  constructor(private readonly options: VirtualClockOptions) {
    this.nowMs = options.start.getTime();
  }

  now(): Date {
    return new Date(this.nowMs);
  }

  /** Between two jumps of a paced clock, where real time says it would be (for displays only;
   * the engine reads now()). */
  approximateNow(): Date {
    const next = this.timers[0]?.due;
    if (!this.options.pace || next === undefined) return this.now();
    return new Date(Math.max(this.nowMs, Math.min(next, this.pacedPosition())));
  }

  /** Where a paced clock would be if it ran at `pace` times real time since its creation: it
   * never jumps past that, so a long window takes (window ÷ pace) of real time in all. */
  private pacedPosition(): number {
    return this.options.start.getTime() + (Date.now() - this.realStart) * (this.options.pace ?? Infinity);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer: Timer = {
        due: this.nowMs + Math.max(0, ms),
        seq: this.seq++,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        const i = this.timers.indexOf(timer);
        if (i >= 0) this.timers.splice(i, 1);
        this.touch();
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.insert(timer);
      this.touch();
    });
  }

  /** Keeps time still until `work` settles: for asynchronous work that does not sleep on this
   * clock (parsing a message), so that no timer fires in the middle of it. */
  async hold<T>(work: Promise<T>): Promise<T> {
    this.holds++;
    try {
      return await work;
    } finally {
      this.holds--;
      this.touch();
    }
  }

  /** Timers waiting (for tests and diagnostics). */
  get pending(): number {
    return this.timers.length;
  }

  private insert(timer: Timer): void {
    // Sorted by due time, then by creation: timers due together fire in the order they were set.
    let lo = 0;
    let hi = this.timers.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const t = this.timers[mid]!;
      if (t.due < timer.due || (t.due === timer.due && t.seq < timer.seq)) lo = mid + 1;
      else hi = mid;
    }
    this.timers.splice(lo, 0, timer);
  }

  private touch(): void {
    this.busy = true;
    if (this.pacing && this.timers[0] && this.timers[0].due < this.pacing.to) {
      // A nearer timer appeared while pacing towards a later one: re-plan.
      clearTimeout(this.pacing.timer);
      this.pacing = undefined;
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.pacing) return;
    this.scheduled = true;
    setImmediate(() => this.turn());
  }

  private turn(): void {
    this.scheduled = false;
    if (this.holds > 0) return; // hold() touches again when the work settles
    if (this.busy) {
      // Promise callbacks and immediate I/O completions run before the next turn.
      this.busy = false;
      this.schedule();
      return;
    }
    const next = this.timers[0];
    if (!next) return;
    const pace = this.options.pace;
    const wait = pace ? (next.due - this.pacedPosition()) / pace : 0;
    if (wait > 0) {
      this.pacing = {
        to: next.due,
        timer: setTimeout(() => {
          this.pacing = undefined;
          this.schedule();
        }, Math.ceil(wait)),
      };
      return;
    }
    this.advanceTo(next.due);
  }

  private advanceTo(due: number): void {
    this.nowMs = Math.max(this.nowMs, due);
    while (this.timers[0] && this.timers[0].due <= this.nowMs) this.timers.shift()!.resolve();
    this.busy = true;
    this.schedule();
  }
}

/** Holds a clock still during `work` when the clock supports it (a VirtualClock). */
export function holdClock<T>(clock: Clock, work: Promise<T>): Promise<T> {
  return clock instanceof VirtualClock ? clock.hold(work) : work;
}

/** The time to show on screen: between the jumps of a paced virtual clock, an estimate. */
export function displayNow(clock: Clock): Date {
  return clock instanceof VirtualClock ? clock.approximateNow() : clock.now();
}
