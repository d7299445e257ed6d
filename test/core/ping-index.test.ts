import { describe, expect, it } from 'vitest';
import { MemoryPingIndex } from '../../src/core/ping-index.js';
import type { Ping } from '../../src/core/ping.js';
import type { ChannelName } from '../../src/core/events.js';

function ping(pingId: string, channel: ChannelName, address: string, token: string): Ping {
  return { pingId, contactId: pingId.split('/')[0]!, iso: 'FR', country: 'France', unit: 'Unit', channel, address, token, languages: ['fr'], timezone: 'Europe/Paris' };
}

describe('MemoryPingIndex by address', () => {
  it('finds every ping of an address, in the order added, per channel, whatever the case or spacing', () => {
    const index = new MemoryPingIndex();
    index.add(ping('FR-1/email/1', 'email', 'Desk@Police.fr.example', 'RC-AAAAAA'));
    index.add(ping('FR-2/email/1', 'email', 'desk@police.fr.example', 'RC-BBBBBB'));
    index.add(ping('FR-3/email/1', 'email', 'other@police.fr.example', 'RC-CCCCCC'));
    index.add(ping('FR-1/sms/1', 'sms', '+33 6 12 34 56 78', 'RC-DDDDDD'));
    index.add(ping('FR-2/sim/1', 'sim', 'desk@police.fr.example', 'RC-EEEEEE'));

    expect(index.byAddress(' DESK@police.fr.example', 'email').map((p) => p.pingId)).toEqual(['FR-1/email/1', 'FR-2/email/1']);
    expect(index.byAddress('other@police.fr.example', 'email').map((p) => p.pingId)).toEqual(['FR-3/email/1']);
    expect(index.byAddress('+33612345678', 'sms').map((p) => p.pingId)).toEqual(['FR-1/sms/1']);
    expect(index.byAddress('desk@police.fr.example', 'sim').map((p) => p.pingId)).toEqual(['FR-2/sim/1']);
    expect(index.byAddress('desk@police.fr.example', 'voice')).toEqual([]);
    expect(index.byAddress('nobody@police.fr.example', 'email')).toEqual([]);
  });

  it('hands out a list of the caller\'s own: changing it changes nothing in the index', () => {
    const index = new MemoryPingIndex();
    index.add(ping('FR-1/email/1', 'email', 'desk@police.fr.example', 'RC-AAAAAA'));
    index.add(ping('FR-2/email/1', 'email', 'desk@police.fr.example', 'RC-BBBBBB'));
    index.byAddress('desk@police.fr.example', 'email').pop();
    index.byAddress('desk@police.fr.example', 'email').length = 0;
    expect(index.byAddress('desk@police.fr.example', 'email')).toHaveLength(2);
  });

  it('adds a ping once', () => {
    const index = new MemoryPingIndex();
    const p = ping('FR-1/email/1', 'email', 'desk@police.fr.example', 'RC-AAAAAA');
    index.add(p);
    index.add(p);
    expect(index.byAddress('desk@police.fr.example', 'email')).toEqual([p]);
  });
});

describe('MemoryPingIndex by Message-ID', () => {
  const withId = (p: Ping, messageId: string): Ping => ({ ...p, messageId });

  it('finds ours (found through their token), others\' and a token twice, whatever the case or brackets, and nothing for a near miss', () => {
    const index = new MemoryPingIndex();
    const ours = withId(ping('FR-1/email/1', 'email', 'a@police.fr.example', 'RC-AAAAAA'), '<RC-AAAAAA.bcdefghjkm@rollcall.example>');
    // A Message-ID that does not carry its ping's token (another tool's, an older version's).
    const foreign = withId(ping('FR-2/email/1', 'email', 'b@police.fr.example', 'RC-BBBBBB'), '<20240605.1234@mail.example>');
    const notItsToken = withId(ping('FR-3/email/1', 'email', 'c@police.fr.example', 'RC-CCCCCC'), '<RC-DDDDDD.bcdefghjkm@rollcall.example>');
    // The same token twice (a log that has it twice), with another Message-ID: both stay found.
    const again = withId(ping('FR-4/email/1', 'email', 'd@police.fr.example', 'RC-AAAAAA'), '<RC-AAAAAA.zyxwvtsrqp@rollcall.example>');
    for (const p of [ours, foreign, notItsToken, again]) index.add(p);

    expect(index.byMessageId('<rc-aaaaaa.BCDEFGHJKM@rollcall.example>')?.pingId).toBe('FR-1/email/1');
    expect(index.byMessageId(' RC-AAAAAA.bcdefghjkm@rollcall.example')?.pingId).toBe('FR-1/email/1');
    expect(index.byMessageId('<RC-AAAAAA.zyxwvtsrqp@rollcall.example>')?.pingId).toBe('FR-4/email/1');
    expect(index.byMessageId('<20240605.1234@MAIL.example>')?.pingId).toBe('FR-2/email/1');
    expect(index.byMessageId('<RC-DDDDDD.bcdefghjkm@rollcall.example>')?.pingId).toBe('FR-3/email/1');
    expect(index.byMessageId('<RC-AAAAAA.bcdefghjkm@other.example>')).toBeUndefined();
    expect(index.byMessageId('<RC-CCCCCC.bcdefghjkm@rollcall.example>')).toBeUndefined();
  });

  it('gives send times back as they were marked', () => {
    const index = new MemoryPingIndex();
    index.add(ping('FR-1/email/1', 'email', 'a@police.fr.example', 'RC-AAAAAA'));
    const at = new Date('2024-06-05T07:30:01.234Z');
    index.markSent('FR-1/email/1', at);
    expect(index.sentAt('FR-1/email/1')?.toISOString()).toBe(at.toISOString());
    expect(index.sentAt('FR-2/email/1')).toBeUndefined();
  });
});
