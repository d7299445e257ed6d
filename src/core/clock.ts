// The injectable clock: the engine reads time and waits only through it, so the demo and the
// tests run a 24-hour window in seconds.

export interface Clock {
  now(): Date;
  /** Resolves after `ms` of this clock's time, or rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const t = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, Math.max(0, ms));
      const onAbort = () => {
        clearTimeout(t);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/** Time running `speed` times faster than real time, starting at `start`. */
export function scaledClock(start: Date, speed: number): Clock {
  const realStart = Date.now();
  return {
    now: () => new Date(start.getTime() + (Date.now() - realStart) * speed),
    sleep: (ms, signal) => systemClock.sleep(ms / speed, signal),
  };
}
