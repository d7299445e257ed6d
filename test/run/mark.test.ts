// `rollcall mark`: answers entered by hand (--at in the run's zone), and every mark that cannot
// apply refused with its reason (exit 2, nothing written); then `stats`, `status` and the JSON
// report show the answer as entered by hand.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Directory } from '../../src/core/directory.js';
import { UsageError } from '../../src/core/errors.js';
import type { EventInput } from '../../src/core/events.js';
import { RunFolder } from '../../src/core/run-folder.js';
import { planMark, type MarkRequest } from '../../src/run/mark.js';
import type { Stats } from '../../src/stats/types.js';
import { rollcall } from '../support/cli.js';
import { newRun, T0, tempDir } from './support.js';

const tmp = tempDir('rollcall-mark-');
afterAll(() => tmp.remove());

const contact = (id: string, emails: string[]) => ({ id, unit: id, kind: 'police' as const, emails, phones: [], sms: [], timezone: 'Asia/Tokyo', languages: ['en'] });
const directory: Directory = {
  network: 'Test Network',
  parties: [
    { country: 'Japan', iso: 'JP', status: 'party', contacts: [contact('JP-POL', ['duty@police.jp.example'])] },
    { country: 'Ghana', iso: 'GH', status: 'party', contacts: [contact('GH-POL', ['gone@police.gh.example'])] },
    { country: 'Albania', iso: 'AL', status: 'party', contacts: [contact('AL-POL', ['poc@police.al.example'])] },
    { country: 'Chile', iso: 'CL', status: 'party', contacts: [contact('CL-POL', ['refused@police.cl.example'])] },
  ],
};
const at = (s: number) => new Date(T0.getTime() + s * 1000).toISOString();

/** A run started at T0 (09:30 in Paris), pings sent a second later. */
function runFolder(windowSeconds = 86_400, ended = false): RunFolder {
  const { runDir } = newRun(join(tmp.path, 'runs'), directory, { channels: ['email'], simulated: false, tz: 'Europe/Paris', schedule: { startAt: T0, plan: { kind: 'now', tz: 'Europe/Paris' } }, windowSeconds, bucketSeconds: [900, 3600, windowSeconds], random: Math.random });
  const folder = RunFolder.open(runDir);
  const add = (e: EventInput, s: number) => folder.appendEvent(e, new Date(T0.getTime() + s * 1000));
  add({ type: 'run-started', runId: folder.id }, 0);
  for (const [id, address, i] of [
    ['JP-POL', 'duty@police.jp.example', 1],
    ['GH-POL', 'gone@police.gh.example', 2],
    ['AL-POL', 'poc@police.al.example', 3],
    ['CL-POL', 'refused@police.cl.example', 4],
  ] as const) {
    add({ type: 'ping-started', pingId: `${id}/email/1`, contactId: id, iso: id.slice(0, 2), channel: 'email', address, token: `RC-AAAAA${i}`, attempt: 1 }, 1);
    if (id === 'CL-POL') add({ type: 'ping-failed', pingId: `${id}/email/1`, attempt: 1, permanent: true, code: 550, response: '550 5.1.1 user unknown' }, 1);
    else add({ type: 'ping-sent', pingId: `${id}/email/1`, sentAt: at(1) }, 1);
  }
  const message = (key: string, cls: 'bounce' | 'reply', extra: object): EventInput =>
    ({ type: 'message-received', key, channel: 'email', receivedAt: at(30), from: 'someone@example', subject: 's', class: cls, reasons: [], file: `messages/${key}.eml`, ...extra });
  add(message('imap-INBOX-1-1', 'bounce', { pingId: 'GH-POL/email/1', matchedBy: 'token', bounce: { recipient: 'rfc822; gone@police.gh.example', status: '5.1.1', action: 'failed' } }), 30);
  add(message('imap-INBOX-1-2', 'reply', { from: 'colleague@police.al.example' }), 30);
  if (ended) add({ type: 'run-ended', reason: 'window-closed' }, windowSeconds);
  return folder;
}

const LATER = new Date(T0.getTime() + 3 * 86_400_000);
const req = (target: string, over: Partial<MarkRequest> = {}): MarkRequest => ({ target, as: 'reply', note: 'the duty officer phoned', cwd: tmp.path, ...over });
async function refused(folder: RunFolder, r: MarkRequest, now = LATER): Promise<string> {
  try {
    await planMark(folder, r, now);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('the mark was not refused');
}

describe('an answer entered by hand (--at)', () => {
  it('takes HH:MM in the run’s zone, between the first ping and the end of the window, and says what it changes', async () => {
    const plan = await planMark(runFolder(), req('JP-POL', { at: '22:11', channel: 'phone' }), LATER);
    // 22:11 in Paris (CEST) on the day of the test.
    expect(plan.override).toEqual({ type: 'override', contactId: 'JP-POL', as: 'reply', note: 'the duty officer phoned', answeredAt: '2024-06-05T20:11:00.000Z', channel: 'phone' });
    expect(plan.effect).toBe('Japan: silent → answered in 12h 41 min');
    // 09:00 has passed on the day of the test when the ping left: it is the next morning's.
    expect((await planMark(runFolder(), req('JP-POL', { at: '09:00' }), LATER)).override.answeredAt).toBe('2024-06-06T07:00:00.000Z');
    expect((await planMark(runFolder(), req('JP-POL', { at: '2024-06-05T22:11' }), LATER)).override.answeredAt).toBe('2024-06-05T20:11:00.000Z');
    expect((await planMark(runFolder(), req('JP-POL', { at: '2024-06-05T15:11:00-05:00' }), LATER)).override).toMatchObject({ answeredAt: '2024-06-05T20:11:00.000Z', channel: 'other' });
  });

  it('refuses a time before the ping, after the window, twice in the window, in the future, or not a time', async () => {
    expect(await refused(runFolder(3600), req('JP-POL', { at: '09:00' }))).toMatch(/2024-06-05 09:00 Europe\/Paris is before JP-POL's first ping, sent at 2024-06-05 09:30/);
    expect(await refused(runFolder(3600), req('JP-POL', { at: '11:00' }))).toMatch(/after the test window, which closed at 2024-06-05 10:30 Europe\/Paris/);
    expect(await refused(runFolder(), req('JP-POL', { at: '2024-06-05T07:00:00Z' }))).toMatch(/before JP-POL's first ping/);
    expect(await refused(runFolder(30 * 3600), req('JP-POL', { at: '10:00' }))).toMatch(/10:00 occurs more than once in the window \(2024-06-05 10:00 Europe\/Paris, 2024-06-06 10:00 Europe\/Paris\): give the date too/);
    expect(await refused(runFolder(), req('JP-POL', { at: '2024-06-05T10:00:00Z' }), new Date(T0.getTime() + 600_000))).toMatch(/is in the future/);
    expect(await refused(runFolder(), req('JP-POL', { at: 'tonight' }))).toMatch(/"tonight" is not a time/);
    expect(await refused(runFolder(), req('JP-POL', { at: '2024-02-30T10:00' }))).toMatch(/not a valid date/);
  });

  it('refuses a contact point whose pings never left, a message target, another class, a channel without a time', async () => {
    expect(await refused(runFolder(), req('CL-POL', { at: '22:11' }))).toMatch(/CL-POL \(Chile\) has no ping that left/);
    expect(await refused(runFolder(), req('imap-INBOX-1-2', { at: '22:11' }))).toMatch(/give the contact id, not a message/);
    expect(await refused(runFolder(), req('JP-POL', { at: '22:11', as: 'automatic' }))).toMatch(/--at .* goes with --as reply/);
    expect(await refused(runFolder(), req('JP-POL', { channel: 'phone' }))).toMatch(/--channel goes with --at/);
    expect(await refused(runFolder(), req('JP-POL', { at: '22:11', channel: 'fax' }))).toMatch(/--channel must be one of phone, email, sms, other/);
  });
});

describe('a correction that cannot apply', () => {
  it('is refused with why and what to do instead', async () => {
    // The case: a phone answer given as a contact mark without a time.
    expect(await refused(runFolder(), req('JP-POL'))).toMatch(/nothing arrived from JP-POL \(Japan\).*give its time: rollcall mark \S+ JP-POL --as reply --at <HH:MM> --channel phone/);
    expect(await refused(runFolder(), req('GH-POL'))).toMatch(/GH-POL's messages are bounce only.*mark the message itself \(imap-INBOX-1-1\)/);
    expect(await refused(runFolder(), req('imap-INBOX-1-2'))).toMatch(/matched to no ping of run .*--contact <id>/);
    expect(await refused(runFolder(), req('CL-POL'))).toMatch(/nothing arrived from CL-POL/);
  });

  it('applies a message attributed to a contact point with --contact, and a bounce marked on the message itself', async () => {
    const a = await planMark(runFolder(), req('imap-INBOX-1-2', { contact: 'AL-POL' }), LATER);
    expect(a.override).toEqual({ type: 'override', messageKey: 'imap-INBOX-1-2', contactId: 'AL-POL', as: 'reply', note: 'the duty officer phoned' });
    expect(a.effect).toBe('Albania: silent → answered in 29 s');
    const b = await planMark(runFolder(), req('messages/imap-INBOX-1-1.eml', { note: 'a person wrote back through the bounce' }), LATER);
    expect(b.override).toMatchObject({ messageKey: 'imap-INBOX-1-1', as: 'reply' });
    expect(b.effect).toBe('Ghana: unreachable → answered in 29 s');
    // Applies, but changes no figure: said so, not dressed up as a change.
    const c = await planMark(runFolder(), req('imap-INBOX-1-1', { as: 'not-an-answer' }), LATER);
    expect(c.effect).toBe('the figures do not change: Ghana stays unreachable');
  });
});

describe('the CLI', () => {
  const size = (folder: RunFolder) => readFileSync(folder.paths.events).length;

  it('exits 2 with the reason and writes nothing when a mark cannot apply', () => {
    const folder = runFolder(86_400, true);
    const before = size(folder);
    for (const args of [
      ['JP-POL', '--as', 'reply', '--note', 'answered by phone at 22:11'],
      ['JP-POL', '--as', 'reply', '--at', '2024-06-05T07:00:00Z', '--note', 'too early'],
      ['JP-POL', '--as', 'reply', '--at', '2024-06-07T07:00:00Z', '--note', 'too late'],
    ]) {
      const r = rollcall(['mark', folder.dir, ...args]);
      expect(r.status, r.stdout).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^rollcall: /);
      expect(r.stderr).not.toMatch(/statistics and reports take it into account|at .*\.js:\d+/);
    }
    expect(size(folder)).toBe(before);
  });

  it('enters an answer that stats, status and the JSON report then show as entered by hand', () => {
    const folder = runFolder(86_400, true);
    const before = JSON.parse(rollcall(['status', folder.dir, '--json']).stdout);
    expect(before.answers).toMatchObject({ final: true, outcomes: { answered: 0, unreachable: 2, silent: 2 } });

    const m = rollcall(['mark', folder.dir, 'JP-POL', '--as', 'reply', '--at', '22:11', '--channel', 'phone', '--note', 'the duty officer phoned back']);
    expect(m.status, m.stderr).toBe(0);
    expect(m.stdout).toContain('Entered contact JP-POL (Japan): an answer received by phone at 2024-06-05 22:11 Europe/Paris');
    expect(m.stdout).toContain('Effect: Japan: silent → answered in 12h 41 min.');

    const stats = JSON.parse(rollcall(['stats', folder.dir, '--json']).stdout) as Stats;
    expect(stats.countries.find((c) => c.iso === 'JP')).toMatchObject({ outcome: 'answered', responseSeconds: 45_659, handEntered: { channel: 'phone', note: 'the duty officer phoned back' } });
    expect(stats.buckets.map((b) => b.responded)).toEqual([0, 0, 1]);
    expect(stats.overrides).toEqual([expect.objectContaining({ contactId: 'JP-POL', applied: true, handEntered: { answeredAt: '2024-06-05T20:11:00.000Z', channel: 'phone' } })]);

    const status = rollcall(['status', folder.dir]);
    expect(status.stdout).toContain('Answered:  1 of 4 countries (final figures, marks applied)');
    expect(status.stdout).toContain('Outcomes:  1 answered, 0 late, 0 automatic only, 2 unreachable, 1 silent');
    expect(status.stdout).toContain('entered by hand: JP-POL answered 2024-06-05 22:11 Europe/Paris by phone — "the duty officer phoned back"');
    expect(status.stdout).not.toContain('so far');

    const out = join(tmp.path, 'report-out');
    const report = rollcall(['report', folder.dir, '--format', 'json', '--out', out]);
    expect(report.status, report.stderr).toBe(0);
    const json = readFileSync(join(out, readdirSync(out).find((f) => f.endsWith('.json'))!), 'utf8');
    expect(json).toContain('"answeredAt": "2024-06-05T20:11:00.000Z"');
    expect(json).toContain('the duty officer phoned back');
  });

  it('reports a mark replaced by a later one, and an answer entered by hand then withdrawn, as such (not "nothing to reclassify")', () => {
    const folder = runFolder(86_400, true);
    const mark = (...args: string[]) => {
      const r = rollcall(['mark', folder.dir, ...args]);
      expect(r.status, r.stderr).toBe(0);
      return r.stdout;
    };
    // The walkthrough: the first mark changed the figures when it was made.
    expect(mark('messages/imap-INBOX-1-1.eml', '--as', 'reply', '--note', 'first')).toContain('Effect: Ghana: unreachable → answered in 29 s.');
    mark('messages/imap-INBOX-1-1.eml', '--as', 'reply', '--note', 'second');
    expect(mark('JP-POL', '--as', 'reply', '--at', '22:11', '--channel', 'phone', '--note', 'phoned')).toContain('Effect: Japan: silent → answered');
    expect(mark('JP-POL', '--as', 'not-an-answer', '--note', 'withdraw')).toContain('→ silent');

    const stats = JSON.parse(rollcall(['stats', folder.dir, '--json']).stdout) as Stats;
    const [first, second, phoned, withdraw] = stats.overrides;
    expect(first).toMatchObject({ note: 'first', applied: false, replacedBy: second!.at });
    expect(second).toMatchObject({ note: 'second', applied: true });
    expect(second).not.toHaveProperty('replacedBy');
    expect(phoned).toMatchObject({ note: 'phoned', applied: false, withdrawnBy: withdraw!.at });
    expect(phoned).not.toHaveProperty('replacedBy');
    expect(withdraw).toMatchObject({ note: 'withdraw', applied: true });

    const out = join(tmp.path, 'report-fates');
    const report = rollcall(['report', folder.dir, '--format', 'md', '--out', out]);
    expect(report.status, report.stderr).toBe(0);
    const md = readFileSync(join(out, readdirSync(out).find((f) => f.endsWith('.md'))!), 'utf8');
    expect(md).not.toContain('nothing to reclassify');
    expect(md).toMatch(/\| counted as a reply \(replaced by a later mark, entered [^|]+ UTC: not applied\) \| +\| first \|/);
    expect(md).toMatch(/\| answer entered by hand \(withdrawn by a later mark, entered [^|]+ UTC: not counted\) \| [^|]+by telephone \| phoned \|/);
    expect(rollcall(['stats', folder.dir]).stdout).toMatch(/JP-POL → answer entered by hand at [^\n]+: phoned \[withdrawn by a later mark, [^\]]+\]/);
  });
});
