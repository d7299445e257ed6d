// The live view's figures: on a run whose statistics are quick to compute (every run but a large
// one), each snapshot counts every event given before it; `fresh` always does.
import { afterAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/core/events.js';
import { RunProgress } from '../../src/run/progress.js';
import { directorySnapshot } from '../../src/run/plan.js';
import { newRun, syntheticDirectory, T0, tempDir } from './support.js';

const tmp = tempDir('rollcall-progress-');
afterAll(() => tmp.remove());

describe('RunProgress', () => {
  it('counts every event in the next snapshot of a small run', () => {
    const directory = directorySnapshot(syntheticDirectory(6), false);
    const { plan } = newRun(tmp.path, directory);
    const progress = new RunProgress(plan, directory);
    const at = (s: number) => new Date(T0.getTime() + s * 1000).toISOString();
    progress.add({ v: 1, at: at(0), type: 'run-started', runId: plan.id });
    const contacts = directory.parties.map((p) => ({ iso: p.iso, c: p.contacts[0]! }));
    contacts.forEach(({ iso, c }, i) => {
      const pingId = `${c.id}/sim/1`;
      const events: RunEvent[] = [
        { v: 1, at: at(i), type: 'ping-started', pingId, contactId: c.id, iso, channel: 'sim', address: c.emails[0]!, token: `RC-AAAAA${i}`, attempt: 1 },
        { v: 1, at: at(i), type: 'ping-sent', pingId, sentAt: at(i) },
        { v: 1, at: at(60 + i), type: 'message-received', key: `k${i}`, channel: 'sim', receivedAt: at(60 + i), from: c.emails[0]!, class: 'reply', reasons: [], pingId },
      ];
      for (const e of events) progress.add(e);
      const s = progress.snapshot(5);
      expect(s.counts.sent).toBe(i + 1);
      expect(s.answered).toBe(i + 1);
      expect(s.recent[0]?.contactId).toBe(c.id);
    });
    expect(progress.snapshot(0, true).answered).toBe(contacts.length);
  });
});
