// The simulated contact points behind the `sim` channel: how each address takes a ping (accepted,
// refused for good, greylisted once) and what comes back after it (a human answer, an
// auto-reply, a bounce, a read receipt), drawn from a seeded generator so that a seed always
// gives the same test. Everything is a share, so that any directory gets the same shape, from the
// 68 parties of the example to 100,000 contact points: countries answer along the 2023 curve
// (with 68 parties 24 within 15 min, 35 within 30 min, 42 within 1 h, 59 within 12 h, 61 within
// 24 h, one late, the rest silent); within a country the first contact point listed gives the
// country's time, about a third of the others answer later, and of those that do not answer a
// quarter send an auto-reply only, an eighth refuse the ping (5xx), an eighth bounce it, and the
// rest say nothing at all.
import type { Directory } from '../core/directory.js';
import type { Ping } from '../core/ping.js';
import { shuffled, streamFor } from '../core/random.js';

/** What arrives after a ping, relative to its send time. */
export interface SimAnswer {
  kind: 'reply' | 'auto-reply' | 'bounce' | 'read-receipt';
  afterMs: number;
  /** How a human reply names the ping: quoting its Message-ID, only its token, or neither
   * (a new message from the pinged address). */
  style?: 'in-reply-to' | 'token' | 'sender';
}

export interface SimBehaviour {
  /** Refused at RCPT/DATA for good (a 5xx). */
  refused?: { code: number; response: string };
  /** Refused once with a 4xx, accepted on the next attempt. */
  greylisted?: { code: number; response: string };
  answers: SimAnswer[];
}

const MIN = 60_000;
const HOUR = 60 * MIN;

/**
 * Cumulative share of countries that have answered after a given time, as knots of a piecewise
 * linear curve (time in ms, share). Its values at 15 min, 30 min, 1 h, 12 h and 24 h are the
 * 2023 counts over 68 parties (24, 35, 42, 59, 61), and the knots inside the buckets bring the
 * averages near 2023's (6 min, 11 min, 17 min, 1h 11 min, 1h 37 min). One country answers just
 * after 24 h (late); the rest never do.
 */
const ANSWER_CURVE: ReadonlyArray<readonly [number, number]> = [
  [30_000, 0],
  [4 * MIN, 12 / 68],
  [15 * MIN, 24 / 68],
  [30 * MIN, 35 / 68],
  [60 * MIN, 42 / 68],
  [2 * HOUR, 50 / 68],
  [6 * HOUR, 56 / 68],
  [12 * HOUR, 59 / 68],
  [20 * HOUR, 61 / 68],
  [24 * HOUR + 5 * MIN, 61 / 68],
  [24 * HOUR + 50 * MIN, 62 / 68],
];

/** The answer delay at a quantile of the curve; undefined beyond its last knot (silent). */
export function answerDelayAt(q: number): number | undefined {
  for (let i = 1; i < ANSWER_CURVE.length; i++) {
    const [t0, q0] = ANSWER_CURVE[i - 1]!;
    const [t1, q1] = ANSWER_CURVE[i]!;
    if (q < q1 || (q === q1 && q1 > q0)) {
      if (q1 === q0) continue;
      return Math.round((t0 + ((q - q0) / (q1 - q0)) * (t1 - t0)) / 1000) * 1000;
    }
  }
  return undefined;
}

const REFUSALS = [
  { code: 550, response: '550 5.1.1 <{address}>: Recipient address rejected: User unknown in virtual mailbox table' },
  { code: 554, response: '554 5.7.1 <{address}>: Relay access denied' },
];
const NO_ANSWER = ['auto', 'refused', 'bounce', 'nothing', 'auto', 'nothing', 'nothing', 'nothing'] as const;
const GREYLIST = { code: 451, response: '451 4.7.1 <{address}>: Recipient address rejected: Greylisted, try again later' };

/** A ping the simulated servers accepted. */
export interface SimDelivery {
  pingId: string;
  address: string;
  token: string;
  at: Date;
}

const KINDS: ReadonlyArray<SimAnswer['kind']> = ['reply', 'auto-reply', 'bounce', 'read-receipt'];
const STYLES: ReadonlyArray<SimAnswer['style']> = [undefined, 'in-reply-to', 'token', 'sender'];

/** One answer in whole seconds, as a small integer (delay, kind, style): most addresses have one
 * answer or none, and 100,000 objects of three fields would be ~15 MB kept through a run. */
function packed(b: SimBehaviour): number | undefined {
  if (b.refused || b.greylisted || b.answers.length !== 1) return undefined;
  const a = b.answers[0]!;
  const seconds = a.afterMs / 1000;
  if (!Number.isInteger(seconds) || seconds < 0 || seconds >= 2 ** 24) return undefined;
  return seconds * 16 + KINDS.indexOf(a.kind) * 4 + STYLES.indexOf(a.style);
}

function unpacked(n: number): SimBehaviour {
  const style = STYLES[n & 3];
  const answer: SimAnswer = { kind: KINDS[(n >> 2) & 3]!, afterMs: Math.floor(n / 16) * 1000 };
  if (style) answer.style = style;
  return { answers: [answer] };
}

/** The behaviour of every e-mail address of a directory under a seed. */
export class SimWorld {
  /** Addresses with one answer (packed), and the others (refused, greylisted, several answers). */
  private readonly single = new Map<string, number>();
  private readonly behaviours = new Map<string, SimBehaviour>();
  private readonly attempts = new Map<string, number>();
  /** The pings accepted (their id, address and token: not the Ping, which the run lets go of
   * once it has ended) and when (ms), side by side rather than an object and a Date each. */
  private readonly deliveredIds: string[] = [];
  private readonly deliveredAddresses: string[] = [];
  private readonly deliveredTokens: string[] = [];
  private readonly deliveredAt: number[] = [];

  constructor(
    directory: Directory,
    readonly seed: number,
  ) {
    this.assign(directory);
  }

  behaviour(address: string): SimBehaviour {
    const key = address.toLowerCase();
    const n = this.single.get(key);
    return n !== undefined ? unpacked(n) : (this.behaviours.get(key) ?? { answers: [] });
  }

  /** Counts an attempt to deliver to an address; returns its number (1 for the first). Only
   * where the number matters (a greylisting server) is it kept: a count for each of 100,000
   * addresses would be memory spent on nothing. */
  countAttempt(address: string): number {
    const key = address.toLowerCase();
    if (!this.behaviours.get(key)?.greylisted) return 1;
    const n = (this.attempts.get(key) ?? 0) + 1;
    this.attempts.set(key, n);
    return n;
  }

  /** A ping the simulated servers accepted; returns how many they have accepted so far. */
  deliver(ping: Ping, at: Date): number {
    this.deliveredIds.push(ping.pingId);
    this.deliveredAddresses.push(ping.address);
    this.deliveredTokens.push(ping.token);
    this.deliveredAt.push(at.getTime());
    return this.deliveredIds.length;
  }

  /** Every ping the simulated servers accepted, in order: what "sent exactly once" is checked on. */
  get deliveries(): SimDelivery[] {
    return this.deliveredIds.map((pingId, i) => ({ pingId, address: this.deliveredAddresses[i]!, token: this.deliveredTokens[i]!, at: new Date(this.deliveredAt[i]!) }));
  }

  /** The ids of the pings accepted, in order, with their time (ms), without an object for each. */
  forEachDelivery(f: (pingId: string, atMs: number) => void): void {
    this.deliveredIds.forEach((id, i) => f(id, this.deliveredAt[i]!));
  }

  private set(address: string, b: SimBehaviour): void {
    const key = address.toLowerCase();
    const n = packed(b);
    if (n !== undefined) {
      this.single.set(key, n);
      this.behaviours.delete(key);
    } else {
      this.behaviours.set(key, b);
      this.single.delete(key);
    }
  }

  private has(address: string): boolean {
    const key = address.toLowerCase();
    return this.single.has(key) || this.behaviours.has(key);
  }

  private assign(directory: Directory): void {
    const rnd = streamFor(this.seed, 'countries');
    const parties = shuffled(directory.parties, rnd);
    const n = parties.length;
    const silent: Directory['parties'] = [];
    const answering: Array<{ party: Directory['parties'][number]; delay: number }> = [];
    parties.forEach((party, k) => {
      // One country per slice of the curve: the counts at each threshold follow it exactly.
      const delay = answerDelayAt((k + rnd()) / n);
      if (delay === undefined) silent.push(party);
      else answering.push({ party, delay });
    });

    // A contact point that does not answer, in turn of eight: two auto-replies only, one refusal,
    // one bounce, four give nothing at all.
    let unanswered = 0;
    const noAnswer = (address: string) => {
      switch (NO_ANSWER[unanswered++ % NO_ANSWER.length]) {
        case 'auto':
          this.set(address, { answers: [{ kind: 'auto-reply', afterMs: 15_000 + Math.round(rnd() * 60) * 1000 }] });
          break;
        case 'refused':
          this.set(address, { refused: fill(REFUSALS[0]!, address), answers: [] });
          break;
        case 'bounce':
          this.set(address, { answers: [{ kind: 'bounce', afterMs: 30_000 + Math.round(rnd() * 120) * 1000 }] });
          break;
        default:
          break; // nothing at all
      }
    };

    /** First addresses of the contact points that answer, with their delay. */
    const answered: Array<{ address: string; delay: number }> = [];
    for (const { party, delay } of answering) {
      const [first, ...others] = party.contacts;
      if (!first) continue;
      const address = first.emails[0];
      if (!address) continue;
      const r = rnd();
      const style: SimAnswer['style'] = r < 0.7 ? 'in-reply-to' : r < 0.9 ? 'token' : 'sender';
      this.set(address, { answers: [{ kind: 'reply', afterMs: delay, style }] });
      answered.push({ address, delay });
      // The other contact points of a country answer sometimes, later than the first.
      for (const c of others) {
        const a = c.emails[0];
        if (!a) continue;
        if (rnd() < 0.35) {
          const later = Math.round((delay * (1.3 + rnd() * 2)) / 1000) * 1000;
          this.set(a, { answers: [{ kind: 'reply', afterMs: later, style: 'in-reply-to' }] });
          answered.push({ address: a, delay: later });
        } else {
          noAnswer(a);
        }
      }
    }

    // A few of those that answer, as in 2023's proportions (3, 1 and 1 of 68): an out-of-office
    // first (the desk answers later anyway), a read receipt before the answer, a greylisting server.
    const pick = shuffled(answered, streamFor(this.seed, 'extras'));
    const share = (x: number) => Math.max(1, Math.round((x * pick.length) / 68));
    const [autoFirst, receipt, greylist] = [share(3), share(1), share(1)];
    for (const { address, delay } of pick.slice(0, autoFirst)) {
      const b = this.behaviour(address);
      b.answers.unshift({ kind: 'auto-reply', afterMs: Math.min(delay - 1000, 20_000 + Math.round(rnd() * 40) * 1000) });
      this.set(address, b);
    }
    for (const { address, delay } of pick.slice(autoFirst, autoFirst + receipt)) {
      const b = this.behaviour(address);
      b.answers.unshift({ kind: 'read-receipt', afterMs: Math.max(1000, Math.round(delay / 2000) * 1000) });
      this.set(address, b);
    }
    for (const { address } of pick.slice(autoFirst + receipt, autoFirst + receipt + greylist)) {
      this.set(address, { ...this.behaviour(address), greylisted: fill(GREYLIST, address) });
    }

    // The silent countries: every contact point of theirs is one that does not answer.
    for (const party of silent) {
      for (const c of party.contacts) {
        const address = c.emails[0];
        if (address) noAnswer(address);
      }
    }
    // Second addresses of answering countries that no longer exist: one in eight, at least one.
    const spare = answering.flatMap(({ party }) => party.contacts.flatMap((c) => c.emails.slice(1)).filter((a) => !this.has(a)));
    const dead = spare.filter((_, i) => i % 8 === 0);
    for (const a of dead) this.set(a, { refused: fill(REFUSALS[1]!, a), answers: [] });
  }
}

function fill(r: { code: number; response: string }, address: string) {
  return { code: r.code, response: r.response.replace('{address}', address) };
}
