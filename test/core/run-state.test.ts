// The one reducer of the event log: what each event does to the run's state, and that the
// engine's view, the statistics and the live view agree because they read the same fold.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Directory } from '../../src/core/directory.js';
import { readEvents } from '../../src/core/event-log.js';
import type { EventInput, RunEvent } from '../../src/core/events.js';
import { applyEvent, earliestCopyMs, emptyRunState, foldRunState, sendCounts } from '../../src/core/run-state.js';
import { statsFromEvents, statsFromState } from '../../src/stats/compute.js';
import { RunProgress } from '../../src/run/progress.js';
import type { RunPlan } from '../../src/core/run-folder.js';

const T = Date.UTC(2024, 5, 5, 8, 0, 0);
const at = (s: number) => new Date(T + s * 1000).toISOString();
const log = (...items: Array<[number, EventInput]>): RunEvent[] => items.map(([s, e]) => ({ v: 1, at: at(s), ...e }));
const started = (pingId: string, attempt = 1, address = 'poc@al.example'): EventInput => ({
  type: 'ping-started',
  pingId,
  contactId: 'AL-POL',
  iso: 'AL',
  channel: 'email',
  address,
  token: 'RC-AAAAAA',
  messageId: '<RC-AAAAAA.bbbbbbbbbb@secretariat.example>',
  attempt,
});
const sent = (pingId: string, s: number): EventInput => ({ type: 'ping-sent', pingId, sentAt: at(s) });

describe('foldRunState', () => {
  it('settles a sent ping for good: a later ping-started or ping-failed changes nothing', () => {
    const state = foldRunState(
      log(
        [0, started('p')],
        [1, sent('p', 1)],
        [2, started('p', 2)],
        [3, { type: 'ping-failed', pingId: 'p', attempt: 2, permanent: true, response: '550 no' }],
      ),
    );
    const rec = state.pings.get('p')!;
    expect(rec.state).toBe('sent');
    expect(rec.sentAt).toBe(at(1));
    expect(rec.started.attempt).toBe(1);
    expect(rec.lastFailure).toBeUndefined();
    // The statistics read the same fold: the ping is sent, no finding, no uncertain state.
    expect(statsFromEvents(log([0, started('p')], [1, sent('p', 1)], [2, started('p', 2)]), dir, { bucketSeconds: [60] }).findings).toEqual([]);
  });

  it('keeps the first start, the last failure, and the start of an uncertain copy sent again', () => {
    const state = foldRunState(
      log(
        [0, started('p')], // 451: did not leave
        [1, { type: 'ping-failed', pingId: 'p', attempt: 1, permanent: false, response: '451 later', retryAt: at(60) }],
        [60, started('p', 2)], // handed over, then the process died: may have left
        [200, started('p', 3)], // resume --resend-uncertain
        [201, sent('p', 201)],
      ),
    );
    const rec = state.pings.get('p')!;
    expect(rec.firstStartedAt).toBe(at(0));
    expect(rec.uncertainSince).toBe(at(60));
    expect(rec.lastFailure?.response).toBe('451 later');
    expect(earliestCopyMs(rec)).toBe(T + 60_000);
  });

  it('has no uncertain copy after a refusal: a retried 4xx did not leave', () => {
    const rec = foldRunState(log([0, started('p')], [1, { type: 'ping-failed', pingId: 'p', attempt: 1, permanent: false, response: '451' }], [60, started('p', 2)], [61, sent('p', 61)])).pings.get('p')!;
    expect(rec.uncertainSince).toBeUndefined();
    expect(earliestCopyMs(rec)).toBe(T + 61_000);
  });

  it('counts the sending states against the plan', () => {
    const state = foldRunState(
      log(
        [0, started('a')],
        [1, sent('a', 1)],
        [0, { ...started('b'), pingId: 'b' } as EventInput],
        [0, { ...started('c'), pingId: 'c' } as EventInput],
        [1, { type: 'ping-failed', pingId: 'c', attempt: 1, permanent: true, response: '550' }],
      ),
    );
    expect(sendCounts(state, 5)).toEqual({ planned: 5, sent: 1, failed: 1, retrying: 0, unconfirmed: 1, notStarted: 2 });
  });

  it('keeps the first message of each key, the last final status, every override, the last cursor and the mail ignored', () => {
    const msg = (key: string, s: number): EventInput => ({ type: 'message-received', key, channel: 'email', receivedAt: at(s), from: 'x@al.example', class: 'reply', reasons: [] });
    const state = foldRunState(
      log(
        [0, { type: 'run-started', runId: 'r1' }],
        [5, msg('k1', 5)],
        [6, msg('k1', 6)],
        [7, msg('k2', 7)],
        [8, { type: 'delivery-status', pingId: 'v', channel: 'voice', status: 'no-answer', final: true }],
        [9, { type: 'delivery-status', pingId: 'v', channel: 'voice', status: 'completed', final: true }],
        [10, { type: 'watch-cursor', channel: 'email', folder: 'INBOX', uidValidity: '1', lastUid: 4, ignored: 3 }],
        [11, { type: 'watch-cursor', channel: 'email', folder: 'INBOX', uidValidity: '1', lastUid: 9, ignored: 2 }],
        [12, { type: 'watch-cursor', channel: 'email', folder: 'Junk', uidValidity: '7', lastUid: 1 }],
        [13, { type: 'override', contactId: 'AL-POL', as: 'reply', note: 'n' }],
        [14, { type: 'run-ended', reason: 'window-closed' }],
      ),
    );
    expect(state.runId).toBe('r1');
    expect(state.messages.map((m) => [m.key, m.receivedAt])).toEqual([
      ['k1', at(5)],
      ['k2', at(7)],
    ]);
    expect(state.finalStatus.get('v')?.status).toBe('completed');
    expect(state.cursors.get('email:INBOX')?.lastUid).toBe(9);
    expect(state.ignored).toBe(5);
    expect(state.overrides).toHaveLength(1);
    expect(state.endReason).toBe('window-closed');
    expect(state.count).toBe(11);
  });
});

const dir: Directory = { network: 't', parties: [{ country: 'Albania', iso: 'AL', status: 'party', contacts: [] }] };

describe('one fold for every reader', async () => {
  const fixture = (p: string) => new URL(`../../fixtures/events/${p}`, import.meta.url).pathname;
  const directory = JSON.parse(readFileSync(fixture('run-small/directory.json'), 'utf8')) as Directory;
  const { events } = await readEvents(fixture('small.jsonl'));
  const opts = { bucketSeconds: [900, 1800, 3600, 43200, 86400], includeObservers: true };

  it('gives the statistics the same figures folded at once or event by event (the live view)', () => {
    const once = statsFromState(foldRunState(events), directory, opts);
    const state = emptyRunState();
    for (const e of events) applyEvent(state, e);
    expect(statsFromState(state, directory, opts)).toEqual(once);
    const plan = { bucketSeconds: opts.bucketSeconds, includeObservers: true, channels: ['email', 'sms', 'voice'] } as unknown as RunPlan;
    const progress = new RunProgress(plan, directory);
    for (const e of events) progress.add(e);
    expect(progress.stats()).toEqual(once);
    expect(progress.state.pings.size).toBe(state.pings.size);
  });

  it('does not change the state when the statistics read it', () => {
    const state = foldRunState(events);
    const before = JSON.stringify({ pings: [...state.pings], messages: state.messages, overrides: state.overrides });
    statsFromState(state, directory, opts);
    expect(JSON.stringify({ pings: [...state.pings], messages: state.messages, overrides: state.overrides })).toBe(before);
  });
});
