// The reports at the end of a sitting: computed from the run's own state when nothing but the
// sitting wrote to the log, from the log read again when another process appended to it
// meanwhile (`rollcall mark` while the run runs). Either way, the figures `rollcall stats` gives.
import { afterAll, describe, expect, it } from 'vitest';
import { SimChannel } from '../../src/channels/sim.js';
import { SimWorld } from '../../src/channels/sim-world.js';
import { EventLog } from '../../src/core/event-log.js';
import type { RunEvent } from '../../src/core/events.js';
import { RunFolder, runPaths } from '../../src/core/run-folder.js';
import { mulberry32 } from '../../src/core/random.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { runEngine } from '../../src/run/engine.js';
import { directorySnapshot } from '../../src/run/plan.js';
import { runSession } from '../../src/run/session.js';
import { loadStatsSource } from '../../src/stats/source.js';
import { countingDirectory, forCounting } from '../../src/stats/counting-directory.js';
import { readDirectory } from '../../src/directory/load.js';
import { repoRoot } from '../support/cli.js';
import { join } from 'node:path';
import { newRun, syntheticDirectory, T0, tempDir } from './support.js';

const tmp = tempDir('rollcall-end-reports-');
afterAll(() => tmp.remove());
const directory = directorySnapshot(syntheticDirectory(12), false);

function sim(clock: VirtualClock): SimChannel {
  return new SimChannel({ world: new SimWorld(directory, 3), clock, from: 'S <s@rollcall.test>', network: 'N' });
}

/** On the first answer of the run, another process marks its contact point "not an answer". */
function markerOf(runDir: string): { onEvent: (e: RunEvent) => void; marked: () => string | undefined } {
  let marked: string | undefined;
  return {
    onEvent: (e) => {
      if (marked || e.type !== 'message-received' || e.class !== 'reply' || !e.pingId) return;
      marked = e.pingId.split('/')[0]!;
      RunFolder.at(runDir).appendEvent({ type: 'override', contactId: marked, as: 'not-an-answer', note: 'marked while the run ran' });
    },
    marked: () => marked,
  };
}

describe('the reports at the end of a sitting', () => {
  it('the engine says whether the log holds only what it read and wrote', async () => {
    const own = newRun(join(tmp.path, 'own'), directory);
    const clock = new VirtualClock({ start: T0 });
    const r = await runEngine({ ...own, directory, channels: [sim(clock)], clock, random: mulberry32(1) });
    expect(r.outcome).toBe('ended');
    expect(r.ownLog).toBe(true);

    const other = newRun(join(tmp.path, 'other'), directory);
    const clock2 = new VirtualClock({ start: T0 });
    const marker = markerOf(other.runDir);
    const r2 = await runEngine({ ...other, directory, channels: [sim(clock2)], clock: clock2, random: mulberry32(1), onEvent: marker.onEvent });
    expect(marker.marked()).toBeDefined();
    expect(r2.outcome).toBe('ended');
    expect(r2.ownLog).toBe(false);
  });

  it('give the figures of `rollcall stats`, from the state or, after a mark meanwhile, from the log', async () => {
    for (const withMark of [false, true]) {
      const { runDir, plan } = newRun(join(tmp.path, `session-${withMark}`), directory);
      const clock = new VirtualClock({ start: T0 });
      const marker = markerOf(runDir);
      const view = { phase: () => undefined, event: withMark ? marker.onEvent : () => undefined, stop: () => undefined };
      const result = await runSession({ runDir, plan, directory, channels: [sim(clock)], clock, command: 'test', random: mulberry32(1), view: () => view });
      expect(result.outcome).toBe('ended');
      const fromLog = await loadStatsSource(runDir);
      // Exactly: the JSON the reports and `stats --json` write.
      expect(JSON.stringify(result.stats)).toBe(JSON.stringify(fromLog.stats));
      expect(JSON.stringify(result.meta)).toBe(JSON.stringify(fromLog.meta));
      expect(result.reports).toHaveLength(3);
      if (withMark) {
        const summary = result.stats!.overrides.find((o) => o.contactId === marker.marked());
        expect(summary).toMatchObject({ as: 'not-an-answer', applied: true });
      } else expect(result.stats!.overrides).toEqual([]);
    }
  });
});

describe('the directory the engine keeps for the reports', () => {
  it('is what the statistics read back from directory.json, for a synthetic and the example directory', async () => {
    const example = directorySnapshot(await readDirectory(join(repoRoot, 'fixtures/directory.yaml')), false);
    for (const [name, d, channels] of [
      ['synthetic', directory, ['sim']],
      ['example', example, ['email', 'sms', 'voice']],
    ] as const) {
      const { runDir } = newRun(join(tmp.path, `dir-${name}`), d, { channels: [...channels] });
      expect(JSON.stringify(forCounting(d, channels)), name).toBe(JSON.stringify(await countingDirectory(RunFolder.at(runDir), channels)));
    }
  });
});

describe('EventLog.onlyOwnAppends', () => {
  it('is true while only this log appended since the size it was told, false after another writer', () => {
    const path = join(tmp.path, 'own.jsonl');
    const log = EventLog.open(path, () => T0);
    expect(log.onlyOwnAppends()).toBe(false); // no size to start from
    log.expect(0);
    expect(log.onlyOwnAppends()).toBe(true);
    log.append({ type: 'run-started', runId: 'r' });
    log.append({ type: 'run-ended', reason: 'window-closed' });
    expect(log.onlyOwnAppends()).toBe(true);
    // Another writer after this log's last append...
    const other = EventLog.open(path, () => T0);
    other.append({ type: 'override', contactId: 'AL-POL', as: 'reply', note: 'x' });
    expect(log.onlyOwnAppends()).toBe(false);
    // ...is not forgotten by appending again.
    log.append({ type: 'run-ended', reason: 'window-closed' });
    expect(log.onlyOwnAppends()).toBe(false);
    other.close();
    log.close();
    expect(log.onlyOwnAppends()).toBe(false);
  });

  it('counts what was appended between the size taken and the log opened as another writer', () => {
    const path = runPaths(tmp.path).events.replace('events.jsonl', 'between.jsonl');
    const first = EventLog.open(path, () => T0);
    first.append({ type: 'run-started', runId: 'r' });
    first.close();
    const size = 1; // not the size the file has: as if something was appended after it was taken
    const log = EventLog.open(path, () => T0);
    log.expect(size);
    log.append({ type: 'run-ended', reason: 'window-closed' });
    expect(log.onlyOwnAppends()).toBe(false);
    log.close();
  });
});
