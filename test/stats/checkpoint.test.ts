// The checkpoint of a run folder (events.checkpoint, src/stats/checkpoint.ts): written by the run
// when its window closes, read by `stats` and `report` instead of the log's first bytes. The
// statistics are those of the log folded from its first line, with events appended after the
// checkpoint folded on; a checkpoint that no longer matches the folder is not used.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Directory } from '../../src/core/directory.js';
import type { MessageReceivedEvent, RunEvent } from '../../src/core/events.js';
import { RunFolder } from '../../src/core/run-folder.js';
import { foldRunState } from '../../src/core/run-state.js';
import { readCheckpoint, writeCheckpoint } from '../../src/stats/checkpoint.js';
import { digests, prefixDigest, type Digests } from '../../src/stats/log-digest.js';
import { workerReply } from '../../src/core/worker-reply.js';
import { forCounting } from '../../src/stats/counting-directory.js';
import { foldLog, loadStatsSource, statsOfRunState } from '../../src/stats/source.js';
import { statsFromInput, statsFromState } from '../../src/stats/compute.js';
import { inputOfState, type StatsInput } from '../../src/stats/run-rows.js';
import { rollcall } from '../support/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'rollcall-checkpoint-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let runDir = '';
beforeAll(() => {
  const runs = join(tmp, 'runs');
  const r = rollcall(['demo', '--json', '--speed', 'max', '--seed', '11', '--runs-dir', runs]);
  expect(r.status, r.stderr).toBe(0);
  runDir = join(runs, readdirSync(runs)[0]!);
}, 60_000);

/** A copy of the run folder (its messages left out) to change. */
function copyRun(name: string): string {
  const dir = join(tmp, name);
  rmSync(dir, { recursive: true, force: true });
  cpSync(runDir, dir, { recursive: true, filter: (src) => !src.includes('messages') });
  return dir;
}

/** The statistics of a folder read from its log alone (its checkpoint removed from a copy). */
async function foldedStats(dir: string) {
  const copy = `${dir}-without-checkpoint`;
  rmSync(copy, { recursive: true, force: true });
  cpSync(dir, copy, { recursive: true });
  rmSync(join(copy, 'events.checkpoint'), { force: true });
  return (await loadStatsSource(copy)).stats;
}

const channelsOf = (dir: string) => RunFolder.open(dir).plan().channels;

describe('the checkpoint a run writes', () => {
  it('is written when the window closes, and holds the state the statistics fold from the log', async () => {
    expect(existsSync(join(runDir, 'events.checkpoint'))).toBe(true);
    const checkpoint = await readCheckpoint(runDir, channelsOf(runDir));
    expect(checkpoint).toBeDefined();
    expect(checkpoint!.bytes).toBe(statSync(join(runDir, 'events.jsonl')).size);
    const { state } = await foldLog(join(runDir, 'events.jsonl'));
    expect(checkpoint!.state).toEqual(state);
    expect(checkpoint!.state.pings.size).toBeGreaterThan(60);
    expect(checkpoint!.state.messages.length).toBeGreaterThan(40);
    expect(checkpoint!.directory).toEqual(forCounting(RunFolder.open(runDir).directory(), channelsOf(runDir)));
  });

  it('gives `rollcall stats` the same figures as the log folded from its first line', async () => {
    const r = rollcall(['stats', runDir, '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(JSON.stringify(await foldedStats(runDir))));
  });

  it('is what the statistics read: a checkpoint of another state (hashes matching) changes the figures', async () => {
    const dir = copyRun('other-state');
    const { state } = await foldLog(join(dir, 'events.jsonl'));
    const answered = (await loadStatsSource(dir)).stats.buckets.at(-1)!.responded;
    expect(answered).toBeGreaterThan(10);
    // Every message forgotten: nobody answered, as far as this checkpoint says.
    state.messages = [];
    state.messageKeys = new Set();
    const folder = RunFolder.open(dir);
    const ok = await writeCheckpoint(dir, state, forCounting(folder.directory(), channelsOf(dir)), folder.plan().directoryHash, channelsOf(dir), statSync(join(dir, 'events.jsonl')).size);
    expect(ok).toBeDefined();
    expect((await loadStatsSource(dir)).stats.buckets.at(-1)!.responded).toBe(0);
  });

  it('folds the events appended after it (a mark) onto it', async () => {
    const dir = copyRun('marked');
    const before = (await loadStatsSource(dir)).stats;
    const silent = before.silent[0]!;
    const contact = RunFolder.open(dir).directory().parties.find((p) => p.iso === silent.iso)!.contacts[0]!;
    const at = new Date(Date.parse(RunFolder.open(dir).plan().startAt) + 5 * 60_000).toISOString();
    const r = rollcall(['mark', dir, contact.id, '--as', 'reply', '--at', at, '--channel', 'phone', '--note', 'called back']);
    expect(r.status, r.stderr).toBe(0);
    const after = (await loadStatsSource(dir)).stats;
    expect(after.countries.find((c) => c.iso === silent.iso)).toMatchObject({ outcome: 'answered', handEntered: { channel: 'phone' } });
    expect(after).toEqual(await foldedStats(dir));
    // The checkpoint itself still stands for the log's first bytes.
    expect((await readCheckpoint(dir, channelsOf(dir)))!.bytes).toBeLessThan(statSync(join(dir, 'events.jsonl')).size);
  });

  it('folds events other than marks (an answer appended later) onto the state it holds', async () => {
    const dir = copyRun('answered-later');
    const before = (await loadStatsSource(dir)).stats;
    const silent = before.silent[0]!;
    const events = readFileSync(join(dir, 'events.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as RunEvent);
    const ping = events.find((e) => e.type === 'ping-started' && e.iso === silent.iso);
    expect(ping).toBeDefined();
    const sentAt = events.find((e) => e.type === 'ping-sent' && e.pingId === (ping as { pingId: string }).pingId) as { sentAt: string };
    const receivedAt = new Date(Date.parse(sentAt.sentAt) + 7 * 60_000).toISOString();
    const answer = { v: 1, at: receivedAt, type: 'message-received', key: 'late-answer-1', channel: (ping as { channel: string }).channel, receivedAt, from: 'poc@late.example', class: 'reply', reasons: [], pingId: (ping as { pingId: string }).pingId };
    writeFileSync(join(dir, 'events.jsonl'), readFileSync(join(dir, 'events.jsonl'), 'utf8') + JSON.stringify(answer) + '\n');
    expect(await readCheckpoint(dir, channelsOf(dir))).toBeDefined();
    const after = (await loadStatsSource(dir)).stats;
    expect(after.countries.find((c) => c.iso === silent.iso)).toMatchObject({ outcome: 'answered', responseSeconds: 420 });
    expect(after).toEqual(await foldedStats(dir));
  });

  it('is not used once the log was edited by hand (same length), nor once directory.json changed', async () => {
    const dir = copyRun('edited');
    const file = join(dir, 'events.jsonl');
    const text = readFileSync(file, 'utf8');
    // A reply turned into an auto-reply... as a hand edit of the same length would not be: a
    // timestamp digit of the first answer changed instead.
    const i = text.indexOf('"receivedAt":"') + '"receivedAt":"2026-'.length;
    const edited = text.slice(0, i) + (text[i] === '0' ? '1' : '0') + text.slice(i + 1);
    expect(edited.length).toBe(text.length);
    writeFileSync(file, edited);
    expect(await readCheckpoint(dir, channelsOf(dir))).toBeUndefined();
    expect((await loadStatsSource(dir)).stats).toEqual(await foldedStats(dir));

    const other = copyRun('directory-changed');
    const d = JSON.parse(readFileSync(join(other, 'directory.json'), 'utf8')) as Directory;
    d.parties[0]!.contacts[0]!.emails = ['changed@police.example'];
    writeFileSync(join(other, 'directory.json'), JSON.stringify(d, null, 2) + '\n');
    expect(await readCheckpoint(other, channelsOf(other))).toBeUndefined();
  });

  it('is not used when directory.json was changed before it was written: its directory is the one the run was made from', async () => {
    const dir = copyRun('directory-changed-during');
    const folder = RunFolder.open(dir);
    const planned = folder.directory();
    const { state } = await foldLog(join(dir, 'events.jsonl'));
    // Edited while the run ran: the run's own directory (planned) is what the checkpoint holds.
    const d = JSON.parse(readFileSync(join(dir, 'directory.json'), 'utf8')) as Directory;
    d.parties[0]!.contacts[0]!.emails = ['changed@police.example'];
    writeFileSync(join(dir, 'directory.json'), JSON.stringify(d, null, 2) + '\n');
    expect(await writeCheckpoint(dir, state, forCounting(planned, channelsOf(dir)), folder.plan().directoryHash, channelsOf(dir), statSync(join(dir, 'events.jsonl')).size)).toBeDefined();
    expect(await readCheckpoint(dir, channelsOf(dir))).toBeUndefined();
    expect((await loadStatsSource(dir)).stats).toEqual(await foldedStats(dir));
  });

  it('is not used when cut short, from another version, or for other channels; the statistics fold the log then', async () => {
    const dir = copyRun('broken');
    const file = join(dir, 'events.checkpoint');
    const whole = readFileSync(file, 'utf8');
    writeFileSync(file, whole.slice(0, Math.floor(whole.length / 2)));
    expect(await readCheckpoint(dir, channelsOf(dir))).toBeUndefined();
    expect((await loadStatsSource(dir)).stats).toEqual(await foldedStats(dir));

    const [header, ...rest] = whole.split('\n');
    writeFileSync(file, [JSON.stringify({ ...JSON.parse(header!), version: '0.0.1' }), ...rest].join('\n'));
    expect(await readCheckpoint(dir, channelsOf(dir))).toBeUndefined();

    writeFileSync(file, whole);
    expect(await readCheckpoint(dir, channelsOf(dir))).toBeDefined();
    expect(await readCheckpoint(dir, ['email'])).toBeUndefined();
  });
});

describe('the check of a large log', () => {
  it('is the same digests, SHA-1 of the log and SHA-256 of directory.json, computed in the worker thread the built CLI uses for a log of 8 MB or more', async () => {
    const file = join(runDir, 'events.jsonl');
    const whole = join(runDir, 'directory.json');
    const bytes = statSync(file).size - 100;
    const worker = new URL('../../dist/stats/digest-worker.js', import.meta.url);
    const reply = await workerReply<Digests | null>(worker, { path: file, bytes, whole }, 'the checkpoint check');
    const here = await prefixDigest(file, bytes);
    expect(reply?.log).toBe(here!.hex);
    expect(here!.hex).toBe(createHash('sha1').update(readFileSync(file).subarray(0, bytes)).digest('hex'));
    expect(reply?.whole).toBe(createHash('sha256').update(readFileSync(whole)).digest('hex'));
    expect(reply?.whole).toBe(RunFolder.open(runDir).plan().directoryHash);
    expect(await digests({ path: file, bytes, whole })).toEqual(reply);
    expect(here!.hex).not.toBe((await prefixDigest(file, bytes + 1))!.hex);
    // A log shorter than the checkpoint says: no digest.
    expect(await workerReply(worker, { path: file, bytes: bytes + 1000, whole }, 'the checkpoint check')).toBeNull();
  });
});

describe('a checkpoint of every kind of event', () => {
  // What a demo's simulated channel never records: phone statuses, failures, retries, uncertain
  // copies, test problems, cursors, marks, messages matched to no ping or failing authentication.
  const T = Date.UTC(2024, 5, 5, 8, 0, 0);
  const at = (s: number) => new Date(T + s * 1000).toISOString();
  const ping = (pingId: string, contactId: string, iso: string, channel: 'email' | 'sms' | 'voice', address: string, s = 0, attempt = 1): RunEvent => ({
    v: 1, at: at(s), type: 'ping-started', pingId, contactId, iso, channel, address, token: `RC-${contactId}`, messageId: `<${pingId}@rollcall.test>`, attempt,
  });
  const events: RunEvent[] = [
    { v: 1, at: at(0), type: 'run-started', runId: 'r-every-kind' },
    ping('AL/email/1', 'AL-POL', 'AL', 'email', 'poc@al.example'),
    { v: 1, at: at(1), type: 'ping-sent', pingId: 'AL/email/1', sentAt: at(1), response: '250 2.0.0 Ok: queued as 1' },
    ping('LV/sms/1', 'LV-POL', 'LV', 'sms', '+37120000001'),
    { v: 1, at: at(1), type: 'ping-sent', pingId: 'LV/sms/1', sentAt: at(1), providerId: 'SM0001' },
    { v: 1, at: at(30), type: 'delivery-status', pingId: 'LV/sms/1', channel: 'sms', status: 'undelivered', errorCode: 30003, final: true, providerId: 'SM0001' },
    ping('GH/voice/1', 'GH-POL', 'GH', 'voice', '+233200000001'),
    { v: 1, at: at(2), type: 'ping-failed', pingId: 'GH/voice/1', attempt: 1, permanent: false, code: 503, response: 'busy', retryAt: at(60) },
    ping('GH/voice/1', 'GH-POL', 'GH', 'voice', '+233200000001', 60, 2),
    { v: 1, at: at(61), type: 'ping-sent', pingId: 'GH/voice/1', sentAt: at(61), providerId: 'CA0001' },
    { v: 1, at: at(90), type: 'delivery-status', pingId: 'GH/voice/1', channel: 'voice', status: 'no-answer', final: true, providerId: 'CA0001', attempt: 1 },
    ping('MT/email/1', 'MT-POL', 'MT', 'email', 'poc@mt.example'),
    ping('MT/email/1', 'MT-POL', 'MT', 'email', 'poc@mt.example', 100, 2),
    { v: 1, at: at(101), type: 'ping-sent', pingId: 'MT/email/1', sentAt: at(101) },
    ping('NL/email/1', 'NL-POL', 'NL', 'email', 'poc@nl.example'),
    { v: 1, at: at(3), type: 'ping-failed', pingId: 'NL/email/1', attempt: 1, permanent: true, code: 550, response: '550 5.1.1 User unknown' },
    { v: 1, at: at(120), type: 'message-received', key: 'imap:INBOX:1:1', channel: 'email', receivedAt: at(119), from: 'poc@al.example', subject: 'Re: test', messageId: '<a1@al.example>', folder: 'INBOX', file: 'messages/a1.eml', class: 'reply', reasons: ['a person'], pingId: 'AL/email/1', matchedBy: 'in-reply-to', authenticity: { verdict: 'fail', source: 'rollcall', fromDomain: 'al.example', reasons: ['DMARC fail'] } },
    { v: 1, at: at(130), type: 'message-received', key: 'imap:INBOX:1:2', channel: 'email', receivedAt: at(130), from: 'MAILER-DAEMON@mx.mt.example', subject: 'Undelivered Mail Returned to Sender', folder: 'INBOX', class: 'bounce', reasons: ['DSN'], pingId: 'MT/email/1', matchedBy: 'token', bounce: { recipient: 'rfc822; poc@mt.example', action: 'failed', status: '5.1.1', diagnostic: 'smtp; 550 5.1.1 unknown' } },
    { v: 1, at: at(140), type: 'message-received', key: 'imap:Junk:7:1', channel: 'email', receivedAt: at(139), from: 'poc@lv.example', subject: 'Re: last year', folder: 'Junk', class: 'unrelated', reasons: ['other test'], otherTest: { token: 'RC-OLD123', runId: '2023-06-07T0800Z-abcd' } },
    { v: 1, at: at(150), type: 'message-received', key: 'sms:SM9', channel: 'sms', receivedAt: at(150), from: '+37120000001', class: 'reply', reasons: [], pingId: 'XX/sms/9' },
    { v: 1, at: at(160), type: 'message-received', key: 'imap:INBOX:1:3', channel: 'email', receivedAt: at(160), from: 'stranger@else.example', folder: 'INBOX', class: 'automatic', reasons: [] },
    { v: 1, at: at(170), type: 'test-problem', problem: 'webhooks-missing', channel: 'voice', detail: 'no webhook', pingIds: ['GH/voice/1'], since: at(170) },
    { v: 1, at: at(180), type: 'watch-cursor', channel: 'email', folder: 'INBOX', uidValidity: '1', lastUid: 3, ignored: 4 },
    { v: 1, at: at(190), type: 'override', messageKey: 'imap:INBOX:1:3', contactId: 'NL-POL', as: 'reply', note: 'their new address' },
    { v: 1, at: at(200), type: 'override', contactId: 'GH-POL', as: 'reply', note: 'phoned', answeredAt: at(195), channel: 'phone' },
    { v: 1, at: at(300), type: 'run-ended', reason: 'window-closed' },
  ];
  const contact = (id: string, emails: string[], sms: string[] = [], phones: string[] = []) => ({ id, unit: `${id} unit`, kind: 'police' as const, emails, phones, sms, timezone: 'Europe/Riga', languages: ['en'] });
  const directory: Directory = {
    network: 'every kind',
    parties: [
      { country: 'Albania', iso: 'AL', status: 'party', contacts: [contact('AL-POL', ['poc@al.example'])] },
      { country: 'Latvia', iso: 'LV', status: 'party', contacts: [contact('LV-POL', [], ['+37120000001'])] },
      { country: 'Ghana', iso: 'GH', status: 'observer', contacts: [contact('GH-POL', [], [], ['+233200000001'])] },
      { country: 'Malta', iso: 'MT', status: 'party', contacts: [contact('MT-POL', ['poc@mt.example'])] },
      { country: 'Netherlands', iso: 'NL', status: 'party', contacts: [contact('NL-POL', ['poc@nl.example'])] },
    ],
  };
  const channels = ['email', 'sms', 'voice'] as const;

  /** A run folder of these events and this directory, with its checkpoint. */
  async function everyKind(name: string): Promise<string> {
    const dir = join(tmp, name);
    rmSync(dir, { recursive: true, force: true });
    cpSync(runDir, dir, { recursive: true, filter: (src) => !src.includes('messages') });
    writeFileSync(join(dir, 'events.jsonl'), events.map((e) => JSON.stringify(e) + '\n').join(''));
    const directoryText = JSON.stringify(directory);
    writeFileSync(join(dir, 'directory.json'), directoryText);
    const engineState = foldRunState(events);
    const directoryHash = createHash('sha256').update(directoryText).digest('hex');
    expect(await writeCheckpoint(dir, engineState, forCounting(directory, [...channels]), directoryHash, [...channels], statSync(join(dir, 'events.jsonl')).size)).toBeDefined();
    return dir;
  }

  it('reads back the state the statistics fold from the log, field for field', async () => {
    const dir = await everyKind('every-kind');
    const counting = forCounting(directory, [...channels]);
    const checkpoint = await readCheckpoint(dir, [...channels]);
    expect(checkpoint).toBeDefined();
    const { state } = await foldLog(join(dir, 'events.jsonl'));
    expect(checkpoint!.state).toEqual(state);
    expect(checkpoint!.lines).toBe(events.length);
    // What the statistics keep of a message: the sender of the one failing authentication and of
    // the ones matched to no ping, a bounce's subject, no classifier words nor file.
    expect(checkpoint!.state.messages.map((m) => m.from)).toEqual(['poc@al.example', '', 'poc@lv.example', '', 'stranger@else.example']);
    expect(checkpoint!.state.messages[1]).toMatchObject({ subject: 'Undelivered Mail Returned to Sender', bounce: { status: '5.1.1' }, reasons: [] });
    expect(checkpoint!.state.messages[3]!.pingId).toBe('XX/sms/9');
    expect(checkpoint!.state.pings.get('MT/email/1')!.uncertainSince).toBe(at(0));
    expect(checkpoint!.state.pings.get('NL/email/1')).toMatchObject({ state: 'failed', lastFailure: { code: 550 } });
    expect(checkpoint!.directory).toEqual(counting);
  });
  it('is written returning its rows: those read back, with the figures of the state it was made from', async () => {
    const dir = join(tmp, 'every-kind-written');
    rmSync(dir, { recursive: true, force: true });
    cpSync(runDir, dir, { recursive: true, filter: (src) => !src.includes('messages') });
    writeFileSync(join(dir, 'events.jsonl'), events.map((e) => JSON.stringify(e) + '\n').join(''));
    const directoryText = JSON.stringify(directory);
    writeFileSync(join(dir, 'directory.json'), directoryText);
    const state = (await foldLog(join(dir, 'events.jsonl'))).state;
    const counting = forCounting(directory, [...channels]);
    const rows = await writeCheckpoint(dir, state, counting, createHash('sha256').update(directoryText).digest('hex'), [...channels], statSync(join(dir, 'events.jsonl')).size);
    expect(rows).toBeDefined();
    const read = (await readCheckpoint(dir, [...channels]))!;
    expect(rows!.input().pings).toEqual(read.input().pings);
    expect([rows!.startedAt, rows!.endedAt]).toEqual([read.startedAt, read.endedAt]);
    expect(rows!.endedAt).toEqual(new Date(at(300)));
    const opts = { bucketSeconds: [900, 3600, 86400], includeObservers: true };
    const figures = statsFromState(state, counting, opts);
    expect(figures.observers?.countries.find((c) => c.iso === 'GH')?.handEntered).toMatchObject({ channel: 'phone' });
    expect(statsFromInput(rows!.input(), counting, opts)).toEqual(figures);
    // What the end of a run reports from: the same as `rollcall stats` on the folder.
    expect((await statsOfRunState(dir, rows!, counting)).stats).toEqual((await loadStatsSource(dir)).stats);
  });

  it('gives the statistics, straight from its columns, the rows its state gives them', async () => {
    const checkpoint = (await readCheckpoint(await everyKind('every-kind-rows'), [...channels]))!;
    const fromColumns = checkpoint.input();
    const fromState = inputOfState(checkpoint.state);
    expect(fromColumns.pings).toEqual(fromState.pings);
    expect([[...fromColumns.pings.lastFailure.keys()].map((row) => fromColumns.pings.pingId[row]), [...fromColumns.pings.uncertainSince.values()]]).toEqual([['GH/voice/1', 'NL/email/1'], [at(0)]]);
    const visited = (input: StatsInput) => {
      const seen: Array<[MessageReceivedEvent, number | undefined]> = [];
      input.messages((m, ping) => seen.push([m, ping]));
      return seen;
    };
    expect(visited(fromColumns)).toEqual(visited(fromState));
    // The message matched to no ping of the run (XX/sms/9) has no row; the others theirs.
    expect(visited(fromColumns).map(([, ping]) => (ping === undefined ? undefined : fromColumns.pings.pingId[ping]))).toEqual(['AL/email/1', 'MT/email/1', undefined, undefined, undefined]);
    expect([fromColumns.phoneEvents, fromColumns.testProblems, fromColumns.overrides]).toEqual([fromState.phoneEvents, fromState.testProblems, fromState.overrides]);
    expect(checkpoint.startedAt).toEqual(checkpoint.state.startedAt);
    expect(checkpoint.endedAt).toEqual(checkpoint.state.endedAt);
    const opts = { bucketSeconds: [900, 3600, 86400], includeObservers: true };
    expect(statsFromInput(fromColumns, checkpoint.directory, opts)).toEqual(statsFromState(checkpoint.state, checkpoint.directory, opts));
  });
});
