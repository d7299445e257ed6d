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
