// A run's log folded as it is read, for `mark` and `inspect --run`: messages held lean but with
// their file names (they find a message by its file), a truncated last line left out.
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { foldEventLog } from '../../src/core/run-folder.js';
import { InputError } from '../../src/core/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'rollcall-fold-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lines = [
  { v: 1, at: '2024-06-05T07:30:00.000Z', type: 'run-started', runId: 'r' },
  { v: 1, at: '2024-06-05T07:30:00.000Z', type: 'ping-started', pingId: 'AL-POL/email/1', contactId: 'AL-POL', iso: 'AL', channel: 'email', address: 'poc@police.al.example', token: 'RC-ABC123', messageId: '<RC-ABC123.x@rollcall.example>', attempt: 1 },
  { v: 1, at: '2024-06-05T07:30:01.000Z', type: 'ping-sent', pingId: 'AL-POL/email/1', sentAt: '2024-06-05T07:30:01.000Z', response: '250 ok' },
  {
    v: 1,
    at: '2024-06-05T07:35:00.000Z',
    type: 'message-received',
    key: 'imap:INBOX:7:1',
    channel: 'email',
    receivedAt: '2024-06-05T07:35:00.000Z',
    from: 'poc@police.al.example',
    subject: 'Re: test',
    messageId: '<a1@police.al.example>',
    folder: 'INBOX',
    file: 'messages/imap_INBOX_7_1.eml',
    class: 'reply',
    reasons: ['written by a person'],
    pingId: 'AL-POL/email/1',
    matchedBy: 'in-reply-to',
  },
];

describe('foldEventLog', () => {
  it('folds every event, keeping a message’s file and sender but not its words', async () => {
    const path = join(dir, 'events.jsonl');
    writeFileSync(path, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    appendFileSync(path, '{"v":1,"at":"2024-06-05T07:36:00.000Z","type":"mess'); // cut short by a crash
    const state = await foldEventLog(path);
    expect(state.count).toBe(4);
    expect(state.pings.get('AL-POL/email/1')).toMatchObject({ state: 'sent', sentAt: '2024-06-05T07:30:01.000Z' });
    expect(state.messages).toHaveLength(1);
    expect(state.messages[0]).toMatchObject({ key: 'imap:INBOX:7:1', file: 'messages/imap_INBOX_7_1.eml', from: 'poc@police.al.example', class: 'reply', pingId: 'AL-POL/email/1' });
    expect(state.messages[0]!.reasons).toEqual([]);
    expect(state.messages[0]!.subject).toBeUndefined();
  });

  it('says a missing log is missing', async () => {
    await expect(foldEventLog(join(dir, 'none.jsonl'))).rejects.toBeInstanceOf(InputError);
  });
});
