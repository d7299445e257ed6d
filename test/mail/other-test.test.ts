// Answers to another test (docs/measurement.md): a message naming a rollcall token or Message-ID
// that is not one of this run's is never matched by its sender and counts for nothing.
import { describe, expect, it } from 'vitest';
import type { Ping } from '../../src/core/ping.js';
import { MemoryPingIndex } from '../../src/core/ping-index.js';
import { classifyMessage } from '../../src/mail/classify.js';
import { newMessageId, newToken, rollcallTokens, tokenOfMessageId } from '../../src/mail/token.js';

const SENT = new Date('2024-06-05T09:30:00Z');
const AFTER = new Date('2024-06-05T09:35:00Z');

function runPings(): { index: MemoryPingIndex; ping: Ping } {
  const index = new MemoryPingIndex();
  const ping: Ping = {
    pingId: 'AL-POL/email/1',
    contactId: 'AL-POL',
    iso: 'AL',
    country: 'Albania',
    unit: 'Police',
    channel: 'email',
    address: 'poc3@police.al.example',
    token: 'RC-7QK3MZ',
    messageId: '<RC-7QK3MZ.k2m4p6r8tq@secretariat.example>',
    languages: ['en'],
    timezone: 'Europe/Tirane',
  };
  index.add(ping);
  index.markSent(ping.pingId, SENT);
  return { index, ping };
}

const mail = (headers: Record<string, string>, body: string) =>
  Buffer.from([...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '', body, ''].join('\r\n'));

describe('tokens and Message-IDs of ours, by their form', () => {
  it('recognises any test’s token and Message-ID, and nothing else', () => {
    const token = newToken();
    const id = newMessageId(token, 'Secretariat <s@secretariat.example>');
    expect(tokenOfMessageId(id)).toBe(token);
    expect(tokenOfMessageId('<CAF=abc123@mail.gmail.com>')).toBeUndefined();
    expect(tokenOfMessageId('<RC-7QK3MZ@rollcall.example>')).toBeUndefined(); // no random part: not ours
    expect(rollcallTokens(`Re: test ${token.toLowerCase()} and RC-GA9YHA, ISO-8601, RC-0O1IL5`)).toEqual([token, 'RC-GA9YHA']);
  });
});

describe('a message that names another test’s ping', () => {
  it('from a pinged address, In-Reply-To another run’s Message-ID: not matched by sender, counts for nothing', async () => {
    const { index } = runPings();
    const raw = mail(
      {
        From: 'Duty officer <poc3@police.al.example>',
        To: 'secretariat@secretariat.example',
        Subject: 'Re: 24/7 Network responsiveness test RC-GA9YHA',
        'Message-ID': '<a1@police.al.example>',
        'In-Reply-To': '<RC-GA9YHA.m3n5p7r9tv@secretariat.example>',
      },
      'Received, sorry for the delay.',
    );
    const c = await classifyMessage(raw, { pings: index, receivedAt: AFTER });
    expect(c.class).toBe('unrelated');
    expect(c.kind).toBe('reply');
    expect(c.pingId).toBeUndefined();
    expect(c.otherTest).toEqual({ token: 'RC-GA9YHA', messageId: '<RC-GA9YHA.m3n5p7r9tv@secretariat.example>' });
    expect(c.reasons.join('\n')).toMatch(/answers another test: RC-GA9YHA \(In-Reply-To <RC-GA9YHA\.m3n5p7r9tv@secretariat\.example>\)/);
  });

  it('from a pinged address, another test’s token in the subject only: not matched either', async () => {
    const { index } = runPings();
    const raw = mail({ From: 'poc3@police.al.example', Subject: 'Test RC-GA9YHA received', 'Message-ID': '<a2@police.al.example>' }, 'OK');
    const c = await classifyMessage(raw, { pings: index, receivedAt: AFTER });
    expect(c).toMatchObject({ class: 'unrelated', otherTest: { token: 'RC-GA9YHA' } });
    expect(c.pingId).toBeUndefined();
  });

  it('an automatic reply or a bounce of another test’s ping counts for nothing here', async () => {
    const { index } = runPings();
    const auto = mail(
      { From: 'poc3@police.al.example', Subject: 'Automatic reply: test RC-GA9YHA', 'Auto-Submitted': 'auto-replied', 'In-Reply-To': '<RC-GA9YHA.m3n5p7r9tv@secretariat.example>' },
      'I am away.',
    );
    expect(await classifyMessage(auto, { pings: index, receivedAt: AFTER })).toMatchObject({ class: 'unrelated', kind: 'automatic', otherTest: { token: 'RC-GA9YHA' } });
  });

  it('still matches a message that names this run’s ping, whatever else it quotes', async () => {
    const { index, ping } = runPings();
    const raw = mail(
      { From: 'poc3@police.al.example', Subject: 'Re: test RC-7QK3MZ', 'In-Reply-To': ping.messageId!, References: `<RC-GA9YHA.m3n5p7r9tv@secretariat.example> ${ping.messageId}` },
      '> last year: RC-GA9YHA\nReceived.',
    );
    const c = await classifyMessage(raw, { pings: index, receivedAt: AFTER });
    expect(c).toMatchObject({ class: 'reply', pingId: ping.pingId, matchedBy: 'in-reply-to' });
    expect(c.otherTest).toBeUndefined();
  });

  it('still matches a plain answer from the pinged address by its sender', async () => {
    const { index, ping } = runPings();
    const c = await classifyMessage(mail({ From: 'poc3@police.al.example', Subject: 'ok' }, 'Received.'), { pings: index, receivedAt: AFTER });
    expect(c).toMatchObject({ class: 'reply', pingId: ping.pingId, matchedBy: 'sender' });
  });

  it('names the copy of a `check` ping as another test’s, and a copy of this run’s ping as this run’s', async () => {
    const { index, ping } = runPings();
    const check = mail(
      { From: 'Secretariat <s@secretariat.example>', Subject: '24/7 Network responsiveness test RC-CH4CK2', 'Message-ID': '<RC-CH4CK2.m3n5p7r9tv@secretariat.example>', 'X-Rollcall-Token': 'RC-CH4CK2' },
      'This is a test. Reference: RC-CH4CK2',
    );
    expect(await classifyMessage(check, { pings: index, receivedAt: AFTER })).toMatchObject({ class: 'unrelated', otherTest: { token: 'RC-CH4CK2' } });
    const own = mail({ From: 'Secretariat <s@secretariat.example>', Subject: 'test RC-7QK3MZ', 'Message-ID': ping.messageId!, 'X-Rollcall-Token': ping.token }, 'Reference: RC-7QK3MZ');
    const c = await classifyMessage(own, { pings: index, receivedAt: AFTER });
    expect(c).toMatchObject({ class: 'unrelated', namesPing: ping.pingId });
    expect(c.otherTest).toBeUndefined();
  });
});
