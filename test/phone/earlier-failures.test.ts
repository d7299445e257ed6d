// Which earlier attempts at a phone ping may have reached the provider, and what a restarted
// phone watcher follows: read from the run's state (the one fold of its log), with the answers a
// scan of the whole history gives.
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/core/events.js';
import { phoneHistory, startedBeforeUnclearFailure } from '../../src/channels/phone-history.js';
import { applyEvent, emptyRunState } from '../../src/core/run-state.js';

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

describe('startedBeforeUnclearFailure: earlier attempts read from the run state', () => {
  it('answers as a scan of the whole history would, while the state grows', () => {
    const history: RunEvent[] = [];
    const state = emptyRunState();
    const script: RunEvent[] = [
      started('a', 1),
      failed('a', 2, false),
      started('b', 3),
      failed('b', 4, true),
      started('c', 6),
      started('a', 7),
      started('d', 8),
      failed('d', 9, false),
      failed('d', 10, false),
      failed('c', 11, true),
    ];
    for (const e of script) {
      history.push(e);
      applyEvent(state, e);
      for (const id of ['a', 'b', 'c', 'd', 'e']) {
        expect(startedBeforeUnclearFailure(state, id) !== undefined, `${id} after ${history.length} events`).toBe(scanHas(history, id));
        expect(startedBeforeUnclearFailure(state, id), `${id} after ${history.length} events`).toBe(scanStartedBefore(history, id));
      }
    }
    expect(startedBeforeUnclearFailure(state, 'a')).toBe(at(1));
    expect(startedBeforeUnclearFailure(state, 'b')).toBeUndefined();
    expect(startedBeforeUnclearFailure(state, 'd')).toBe(at(8));
  });

  it('counts only failures of a started ping (an SMS or call is always started before it is sent)', () => {
    const state = emptyRunState();
    for (const e of [failed('c', 5, false), started('c', 6)]) applyEvent(state, e);
    expect(startedBeforeUnclearFailure(state, 'c')).toBeUndefined();
  });
});

describe('phoneHistory: what a restarted phone watcher follows, from the run state', () => {
  it('sent pings with their SIDs, statuses per ping in log order, finals and answers, of its channel only', () => {
    const state = emptyRunState();
    const sent = (pingId: string, s: number, providerId: string): RunEvent => ({ v: 1, at: at(s), type: 'ping-sent', pingId, sentAt: at(s), providerId, response: `queued ${providerId}` });
    const status = (pingId: string, s: number, st: string, final: boolean, channel: 'sms' | 'voice' = 'sms'): RunEvent => ({ v: 1, at: at(s), type: 'delivery-status', pingId, channel, status: st, final, providerId: `SM${pingId}` });
    const voiceStart: RunEvent = { ...started('v', 1), channel: 'voice' } as RunEvent;
    const events: RunEvent[] = [
      started('a', 1),
      sent('a', 2, 'SMa'),
      started('b', 3),
      voiceStart,
      sent('v', 4, 'CAv'),
      status('a', 5, 'sent', false),
      status('v', 6, 'completed', true, 'voice'),
      status('a', 7, 'delivered', true),
      { v: 1, at: at(8), type: 'message-received', key: 'sms:SMx', channel: 'sms', receivedAt: at(8), from: '+355690000001', class: 'reply', reasons: [], pingId: 'a' },
    ];
    for (const e of events) applyEvent(state, e);
    const h = phoneHistory(state, 'sms');
    expect([...h.sent]).toEqual([['a', 'SMa']]);
    expect(h.statuses.get('a')?.map((e) => e.status)).toEqual(['sent', 'delivered']);
    expect(h.statuses.has('v')).toBe(false);
    expect([...h.finals]).toEqual(['a']);
    expect([...h.answered]).toEqual(['a']);
    const v = phoneHistory(state, 'voice');
    expect([...v.sent]).toEqual([['v', 'CAv']]);
    expect([...v.finals]).toEqual(['v']);
    expect(v.answered.size).toBe(0);
  });
});
