// The simulated answers skip mailparser when what it would read is plain to see: that reading
// must be mailparser's own, field for field, for every kind of answer, so that the classifier
// (and the events recorded) cannot tell the difference.
import { describe, expect, it } from 'vitest';
import { simAnswerMessage, type SimMessageInput } from '../../src/channels/sim-messages.js';
import { SimWorld, type SimAnswer } from '../../src/channels/sim-world.js';
import { classifyMessage, classifyParsed, parseMessage, parsedMessage } from '../../src/mail/classify.js';
import { parseMime } from '../../src/mail/mime.js';
import { MemoryPingIndex } from '../../src/core/ping-index.js';
import type { Ping } from '../../src/core/ping.js';
import { readDirectory } from '../../src/directory/load.js';
import { directorySnapshot, planPings } from '../../src/run/plan.js';
import { renderSubject } from '../../src/mail/compose.js';
import { DEFAULT_SUBJECT } from '../../src/settings.js';
import { demoDirectoryPath, DEMO_FROM } from '../../src/run/demo.js';

const ANSWERS: SimAnswer[] = [
  { kind: 'reply', afterMs: 61_000, style: 'in-reply-to' },
  { kind: 'reply', afterMs: 61_000, style: 'token' },
  { kind: 'reply', afterMs: 61_000, style: 'sender' },
  { kind: 'auto-reply', afterMs: 15_000 },
  { kind: 'bounce', afterMs: 30_000 },
  { kind: 'read-receipt', afterMs: 5_000 },
];

function ping(over: Partial<Ping> = {}): Ping {
  return {
    pingId: 'XX-POL-001/sim/1',
    contactId: 'XX-POL-001',
    iso: 'XX',
    country: 'Xland',
    unit: 'Cybercrime Unit',
    channel: 'sim',
    address: 'poc@police.xx.example',
    token: 'RC-7QK3MZ',
    messageId: '<RC-7QK3MZ.abcdefghjk@rollcall.example>',
    languages: ['en'],
    timezone: 'UTC',
    ...over,
  };
}

function input(p: Ping, answer: SimAnswer, pingSubject = renderSubject(DEFAULT_SUBJECT, p.token, 'Test Network')): SimMessageInput {
  return { ping: p, answer, arrival: new Date(Date.UTC(2026, 2, 29, 1, 30, 12, 345)), to: DEMO_FROM, pingSubject, serial: 'simxxpol001sim1reply1' };
}

/** mailparser's reading and the plain one, compared whole; then the classifications. */
async function expectSameReading(i: SimMessageInput): Promise<void> {
  const { raw, read } = simAnswerMessage(i);
  expect(read, `a plain reading for ${i.answer.kind} from "${i.ping.unit}"`).toBeDefined();
  const real = await parseMessage(raw);
  const plain = parsedMessage(parseMime(raw), read!);
  expect(plain).toEqual(real);
  const pings = new MemoryPingIndex();
  pings.add(i.ping);
  pings.markSent(i.ping.pingId, new Date(i.arrival.getTime() - i.answer.afterMs));
  const opts = { pings, receivedAt: i.arrival, ownAddress: DEMO_FROM };
  expect(classifyParsed(plain, opts)).toEqual(await classifyMessage(raw, opts));
}

describe('simulated answers without mailparser', () => {
  const units = ['Cybercrime Unit', "Police d'État 24/7", 'Служба К, отдел 2', '网络犯罪调查科', 'Unit 7 & Co. #2', 'A-B/C+D', 'Ünit, Sektion Ost'];
  const zones = ['UTC', 'Europe/Paris', 'Asia/Kolkata', 'America/St_Johns', 'Pacific/Chatham', 'America/Caracas'];

  it('reads every kind of answer as mailparser does, for names in many scripts and senders in many zones', async () => {
    for (const answer of ANSWERS) {
      for (const [k, unit] of units.entries()) {
        await expectSameReading(input(ping({ unit, timezone: zones[k % zones.length]! }), answer));
      }
      // A ping without a Message-ID (nothing to quote) and an address with capitals.
      const { messageId: _, ...bare } = ping({ address: 'Duty.Officer+247@Police.XX.example' });
      await expectSameReading(input(bare, answer));
      await expectSameReading(input(ping(), answer, 'Test «réseau» RC-7QK3MZ: please reply'));
    }
  });

  it('reads every answer of the demo world as mailparser does', async () => {
    const directory = directorySnapshot(await readDirectory(demoDirectoryPath()), false);
    const world = new SimWorld(directory, 2023);
    let checked = 0;
    for (const [n, p] of planPings(directory, ['sim']).entries()) {
      const full: Ping = { ...p, token: `RC-${String(100000 + n)}`, messageId: `<RC-${100000 + n}.abcdefghjk@rollcall.example>` };
      for (const answer of world.behaviour(p.address).answers) {
        await expectSameReading(input(full, answer));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(40);
  });

  it('leaves names, addresses and subjects that mailparser might rewrite to mailparser', () => {
    const unusual: Array<[Partial<Ping>, string?]> = [
      [{ unit: 'Unit "Seven"' }],
      [{ unit: ' Leading space' }],
      [{ unit: 'Two  spaces' }],
      [{ unit: 'Back\\slash' }],
      [{ unit: 'Angle <brackets>' }],
      [{ unit: 'Semi; colon' }],
      [{ unit: '' }],
      [{ address: '"quoted local"@police.xx.example' }],
      // A zone the sender's clock does not know: no date mailparser could read the same way.
      [{ timezone: 'Not/A_Zone' }],
      [{}, 'Encoded =?utf-8?q?word?= RC-7QK3MZ'],
      [{}, 'Two  spaces RC-7QK3MZ'],
    ];
    for (const [over, subject] of unusual) {
      for (const answer of ANSWERS) expect(simAnswerMessage(input(ping(over), answer, subject)).read).toBeUndefined();
    }
  });
});
