// A clock that moves only when the test says so: the channel's requests to the fake Twilio take
// real time while the run's time stands still, so when a redial happens is exact.
import type { Clock } from '../../src/core/clock.js';

interface Timer {
  due: number;
  resolve: () => void;
}

export class ManualClock implements Clock {
  private ms: number;
  private timers: Timer[] = [];

  constructor(start: Date) {
    this.ms = start.getTime();
  }

  now(): Date {
    return new Date(this.ms);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer: Timer = {
        due: this.ms + Math.max(0, ms),
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.timers = this.timers.filter((t) => t !== timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.timers.push(timer);
    });
  }

  /** Sleeps waiting, and when the next one is due. */
  get pending(): number {
    return this.timers.length;
  }

  /** Moves to `at`, timer by timer; after each, `settle` (real time) lets the woken work run. */
  async advanceTo(at: Date, settle: () => Promise<void> = () => new Promise((r) => setTimeout(r, 50))): Promise<void> {
    for (;;) {
      const next = this.timers.filter((t) => t.due <= at.getTime()).sort((a, b) => a.due - b.due)[0];
      if (!next) break;
      this.ms = Math.max(this.ms, next.due);
      this.timers = this.timers.filter((t) => t !== next);
      next.resolve();
      await settle();
    }
    this.ms = Math.max(this.ms, at.getTime());
    await settle();
  }

  /** Moves by `ms` (see advanceTo). */
  advance(ms: number, settle?: () => Promise<void>): Promise<void> {
    return this.advanceTo(new Date(this.ms + ms), settle);
  }
}
