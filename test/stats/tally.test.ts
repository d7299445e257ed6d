import { describe, expect, it } from 'vitest';
import { ContactTally, KIND_BIT } from '../../src/stats/tally.js';

describe('ContactTally', () => {
  it('counts an answer stamped within the ping’s own second (whole-second INTERNALDATE) as 0, not negative', () => {
    const t = new ContactTally('AL', 'AL-POL');
    const sent = Date.parse('2024-06-05T08:00:00.700Z');
    t.add('email', sent, Date.parse('2024-06-05T08:00:00Z'), KIND_BIT.reply);
    expect(t.responseMs).toBe(0);
  });

  it('times the first acknowledgement by arrival, ignoring automatic messages', () => {
    const t = new ContactTally('AL', 'AL-POL');
    const sent = Date.parse('2024-06-05T08:00:00Z');
    t.add('email', sent, sent + 5_000, KIND_BIT['auto-reply']);
    t.add('email', sent, sent + 90_000, KIND_BIT.reply);
    t.add('email', sent, sent + 60_000, KIND_BIT.reply);
    expect(t.responseMs).toBe(60_000);
  });
});
