// `rollcall inspect` and `rollcall mark` through the CLI entry (main), on the fixture corpus and
// on temporary run folders that are removed afterwards.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { readEvents } from '../../src/core/event-log.js';

const root = join(import.meta.dirname, '../..');
const fixtures = join(root, 'fixtures/mail');
const expected = JSON.parse(readFileSync(join(fixtures, 'expected.json'), 'utf8')) as Record<string, string>;
const temps: string[] = [];
afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const sink = (f: (s: string) => void) => new Writable({ write: (c, _e, cb) => (f(String(c)), cb()) });
  const code = await main(argv, { out: sink((s) => (out += s)), err: sink((s) => (err += s)), env: { NO_COLOR: '1' }, cwd: root, color: false, interactive: false });
  return { code, out, err };
}

function tempRun(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rollcall-mark-'));
  temps.push(dir);
  cpSync(join(fixtures, 'run'), dir, { recursive: true });
  const recorded = {
    v: 1,
    at: '2024-06-05T09:41:30.000Z',
    type: 'message-received',
    key: 'imap:INBOX:1717:7',
    channel: 'email',
    receivedAt: '2024-06-05T09:41:27.000Z',
    from: 'poc@politie.nl.example',
    subject: 'RE: test',
    folder: 'INBOX',
    file: 'messages/imap-INBOX-1717-7.eml',
    class: 'automatic',
    reasons: ['Precedence: bulk'],
    pingId: 'NL-POL:email:1',
    matchedBy: 'in-reply-to',
  };
  writeFileSync(join(dir, 'events.jsonl'), readFileSync(join(dir, 'events.jsonl'), 'utf8') + JSON.stringify(recorded) + '\n');
  cpSync(join(fixtures, 'reply-quoted-outlook.eml'), join(dir, 'messages/imap-INBOX-1717-7.eml'));
  return dir;
}

describe('rollcall inspect', () => {
  for (const [file, cls] of Object.entries(expected)) {
    it(`explains ${file} (${cls}) with the run's pings`, async () => {
      const r = await cli('inspect', `fixtures/mail/${file}`, '--run', 'fixtures/mail/run', '--json');
      expect(r.code).toBe(0);
      const j = JSON.parse(r.out) as { class: string; reasons: string[]; matching: string; ping: { pingId: string } | null; matchedBy: string | null };
      expect(j.class).toBe(cls);
      expect(j.reasons.length).toBeGreaterThan(0);
      expect(j.matching).toBe(cls === 'unrelated' ? 'no-match' : 'matched');
      if (cls !== 'unrelated') expect(j.matchedBy).not.toBeNull();
    });
  }

  it('prints the class, the deciding rules, the DSN fields and the ping in plain text', async () => {
    const r = await cli('inspect', 'fixtures/mail/postfix-bounce.eml', '--run', 'fixtures/mail/run');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Class:\s+bounce/);
    expect(r.out).toContain('message/delivery-status part (RFC 3464)');
    expect(r.out).toMatch(/Final-Recipient\s+cyber@policja\.pl\.example/);
    expect(r.out).toMatch(/Status\s+5\.1\.1/);
    expect(r.out).toMatch(/Answers:\s+ping PL-POL:email:1/);
    expect(r.out).toMatch(/Matched by:\s+references/);
    expect(r.out).not.toContain('\u001b[');
  });

  it('says matching was not checked without --run', async () => {
    const r = await cli('inspect', 'fixtures/mail/exchange-auto-reply.eml');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Class:\s+automatic/);
    expect(r.out).toContain('X-MS-Exchange-Inbox-Rules-Loop');
    expect(r.out).toContain('not checked');
  });

  it('uses the arrival time the run recorded for its own messages, and shows overrides', async () => {
    const dir = tempRun();
    expect((await cli('mark', dir, 'imap:INBOX:1717:7', '--as', 'reply', '--note', 'confirmed')).code).toBe(0);
    const r = await cli('inspect', join(dir, 'messages/imap-INBOX-1717-7.eml'), '--run', dir, '--json');
    const j = JSON.parse(r.out) as { arrival: { at: string; source: string }; recordedAs: { key: string }; overrides: Array<{ as: string }>; responseSeconds: number };
    expect(j.arrival.at).toBe('2024-06-05T09:41:27.000Z');
    expect(j.arrival.source).toContain('INTERNALDATE');
    expect(j.recordedAs.key).toBe('imap:INBOX:1717:7');
    expect(j.overrides.map((o) => o.as)).toEqual(['reply']);
    expect(j.responseSeconds).toBe(Math.round((Date.parse('2024-06-05T09:41:27Z') - Date.parse('2024-06-05T09:30:10.250Z')) / 1000));
  });

  it('exits 2 with a located message for a missing file or run', async () => {
    const a = await cli('inspect', 'fixtures/mail/nope.eml');
    expect(a.code).toBe(2);
    expect(a.err).toContain('fixtures/mail/nope.eml: no such message file');
    const folder = await cli('inspect', 'fixtures/mail');
    expect(folder.code).toBe(2);
    expect(folder.err).toContain('fixtures/mail: is a folder, not a message file (give one .eml file)');
    const b = await cli('inspect', 'fixtures/mail/gmail-reply.eml', '--run', 'fixtures/mail/no-run');
    expect(b.code).toBe(2);
    expect(b.err).toContain('fixtures/mail/no-run');
  });
});

describe('rollcall mark', () => {
  it('appends an override for a message key, a message file and a contact id', async () => {
    const dir = tempRun();
    const before = (await readEvents(join(dir, 'events.jsonl'))).events.length;
    const a = await cli('mark', dir, 'imap:INBOX:1717:7', '--as', 'reply', '--note', 'a person answered');
    expect(a.code).toBe(0);
    expect(a.out).toContain('Marked message imap:INBOX:1717:7');
    const b = await cli('mark', dir, 'messages/imap-INBOX-1717-7.eml', '--as', 'not-an-answer', '--note', 'forwarded by mistake', '--json');
    expect(b.code).toBe(0);
    expect(JSON.parse(b.out)).toMatchObject({ type: 'override', messageKey: 'imap:INBOX:1717:7', as: 'not-an-answer', note: 'forwarded by mistake' });
    // Issue 10: a contact with nothing to reclassify takes its answer with the time it came (--at).
    const c = await cli('mark', dir, 'DE-BKA', '--as', 'reply', '--at', '2024-06-05T09:35:00Z', '--channel', 'phone', '--note', 'answered by phone at 09:35');
    expect(c.code).toBe(0);
    expect(c.out).toContain('contact DE-BKA (Germany)');
    const { events } = await readEvents(join(dir, 'events.jsonl'));
    expect(events.length).toBe(before + 3);
    expect(events.slice(-3)).toMatchObject([
      { type: 'override', messageKey: 'imap:INBOX:1717:7', as: 'reply' },
      { type: 'override', messageKey: 'imap:INBOX:1717:7', as: 'not-an-answer' },
      { type: 'override', contactId: 'DE-BKA', as: 'reply', note: 'answered by phone at 09:35' },
    ]);
  });

  it('refuses an unknown target, an empty note, a bad class and a missing run with exit 2, writing nothing', async () => {
    const dir = tempRun();
    const size = readFileSync(join(dir, 'events.jsonl')).length;
    const unknown = await cli('mark', dir, 'XX-NOPE', '--as', 'reply', '--note', 'n');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/"XX-NOPE" is neither a message nor a contact/);
    expect((await cli('mark', dir, 'messages/other.eml', '--as', 'reply', '--note', 'n')).code).toBe(2);
    expect((await cli('mark', dir, 'DE-BKA', '--as', 'reply', '--note', '  ')).code).toBe(2);
    expect((await cli('mark', dir, 'DE-BKA', '--as', 'maybe', '--note', 'n')).code).toBe(2);
    expect((await cli('mark', join(dir, 'missing'), 'DE-BKA', '--as', 'reply', '--note', 'n')).code).toBe(2);
    expect(readFileSync(join(dir, 'events.jsonl')).length).toBe(size);
  });
});
