// Which earlier attempts at a phone ping may have reached the provider: read from the run's
// history as it grows, each event once, with the answers a scan of the whole history gives.
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/core/events.js';
import { EarlierFailures } from '../../src/channels/phone-history.js';

const at = (s: number) => new Date(Date.UTC(2024, 5, 5, 9, 30, s)).toISOString();
const started = (pingId: string, s: number): RunEvent => ({ v: 1, at: at(s), type: 'ping-started', pingId, contactId: 'AL-POL', iso: 'AL', channel: 'sms', address: '+355690000001', token: 'RC-ABCDEF', attempt: 1 });
const failed = (pingId: string, s: number, permanent: boolean): RunEvent => ({ v: 1, at: at(s), type: 'ping-failed', pingId, attempt: 1, permanent, response: permanent ? '21211 invalid number' : '503 try later' });

/** What a scan of the whole history said (the code this replaces). */
function scanHas(events: readonly RunEvent[], pingId: string): boolean {
  return events.some((e) => e.type === 'ping-failed' && e.pingId === pingId && !e.permanent);
}
function scanStartedBefore(events: readonly RunEvent[], pingId: string): string | undefined {
  let s: string | undefined;
  for (const e of events) {
    if (e.type === 'ping-started' && e.pingId === pingId) s ??= e.at;
    else if (e.type === 'ping-failed' && e.pingId === pingId && !e.permanent && s) return s;
  }
  return undefined;
}

describe('EarlierFailures', () => {
  it('answers as a scan of the whole history would, while the history grows', () => {
    const history: RunEvent[] = [];
    const index = new EarlierFailures(() => history);
    const script: RunEvent[] = [
      started('a', 1),
      failed('a', 2, false),
      started('b', 3),
      failed('b', 4, true),
      failed('c', 5, false), // a failure with no start in the log (a log cut short)
      started('c', 6),
      started('a', 7),
      started('d', 8),
      failed('d', 9, false),
      failed('d', 10, false),
    ];
    for (const e of script) {
      history.push(e);
      for (const id of ['a', 'b', 'c', 'd', 'e']) {
        expect(index.has(id), `${id} after ${history.length} events`).toBe(scanHas(history, id));
        expect(index.startedBefore(id), `${id} after ${history.length} events`).toBe(scanStartedBefore(history, id));
      }
    }
    expect(index.has('a')).toBe(true);
    expect(index.startedBefore('a')).toBe(at(1));
    expect(index.has('b')).toBe(false);
    expect(index.startedBefore('c')).toBeUndefined();
  });

  it('reads another, shorter history from its start', () => {
    let history: RunEvent[] = [started('a', 1), failed('a', 2, false), started('b', 3)];
    const index = new EarlierFailures(() => history);
    expect(index.has('a')).toBe(true);
    history = [started('b', 3)];
    expect(index.has('a')).toBe(false);
  });
});
