// The recorder of a running run: every event appended to the log and heard whole by listeners,
// folded into the run's state, which (lean) holds messages without the words no one reads back.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EventLog } from '../../src/core/event-log.js';
import type { MessageReceivedEvent, RunEvent } from '../../src/core/events.js';
import { Recorder } from '../../src/run/recorder.js';
import { tempDir } from './support.js';

const tmp = tempDir('rollcall-recorder-');
afterAll(() => tmp.remove());

const reply: Omit<MessageReceivedEvent, 'v' | 'at'> = {
  type: 'message-received',
  key: 'imap:INBOX:7:1',
  channel: 'email',
  receivedAt: '2024-06-05T07:35:00.000Z',
  from: 'poc@police.al.example',
  subject: 'Re: [24/7 Network] Responsiveness test RC-ABC123 - please reply',
  messageId: '<a1@police.al.example>',
  folder: 'INBOX',
  file: 'messages/imap_INBOX_7_1.eml',
  class: 'reply',
  reasons: ['no automatic-reply header: written by a person', 'answers ping AL-POL/email/1 by In-Reply-To'],
  pingId: 'AL-POL/email/1',
  matchedBy: 'in-reply-to',
};
const bounce: Omit<MessageReceivedEvent, 'v' | 'at'> = {
  ...reply,
  key: 'imap:INBOX:7:2',
  from: 'MAILER-DAEMON@mx.al.example',
  subject: 'Undelivered Mail Returned to Sender',
  class: 'bounce',
  bounce: { recipient: 'rfc822; poc@police.al.example', status: '5.1.1', action: 'failed' },
};

describe('Recorder', () => {
  it('lean: the state holds messages without words, file or (but for a bounce) subject; the log and the listeners get them whole', async () => {
    const file = join(tmp.path, 'lean.jsonl');
    const log = EventLog.open(file, () => new Date('2024-06-05T07:35:01Z'));
    const recorder = new Recorder(log, undefined, { lean: true });
    const heard: RunEvent[] = [];
    recorder.onEvent((e) => heard.push(e));
    expect(await recorder.record(reply)).toBe(true);
    expect(await recorder.record(bounce)).toBe(true);
    expect(await recorder.record(reply)).toBe(false); // its key is known: dropped
    log.close();

    const [held, heldBounce] = recorder.state.messages;
    expect(held).toMatchObject({ key: reply.key, channel: 'email', receivedAt: reply.receivedAt, from: reply.from, messageId: reply.messageId, folder: 'INBOX', class: 'reply', pingId: reply.pingId, matchedBy: 'in-reply-to' });
    expect(held!.reasons).toEqual([]);
    expect(held!.file).toBeUndefined();
    expect(held!.subject).toBeUndefined();
    expect(heldBounce).toMatchObject({ class: 'bounce', subject: bounce.subject, bounce: bounce.bounce });

    expect(heard.map((e) => e.type === 'message-received' && e.reasons.length)).toEqual([2, 2]);
    const logged = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as MessageReceivedEvent);
    expect(logged).toHaveLength(2);
    expect(logged[0]).toMatchObject({ reasons: reply.reasons, file: reply.file, subject: reply.subject });
  });

  it('by default folds every event as written (check, the tests)', async () => {
    const log = EventLog.open(join(tmp.path, 'full.jsonl'), () => new Date('2024-06-05T07:35:01Z'));
    const recorder = new Recorder(log);
    await recorder.record(reply);
    log.close();
    expect(recorder.state.messages[0]).toMatchObject({ reasons: reply.reasons, file: reply.file, subject: reply.subject });
  });

  it('replays the events of a log into its state, lean as well, so that nothing is recorded twice', async () => {
    const log = EventLog.open(join(tmp.path, 'replay.jsonl'), () => new Date('2024-06-05T07:35:01Z'));
    const recorder = new Recorder(log, undefined, { lean: true });
    recorder.replay([{ v: 1, at: '2024-06-05T07:35:00.000Z', ...reply }]);
    expect(recorder.seen(reply.key)).toBe(true);
    expect(recorder.state.messages[0]!.reasons).toEqual([]);
    expect(await recorder.record(reply)).toBe(false);
    log.close();
  });
});
