// The simulated contact points behind the `sim` channel: how each address takes a ping (accepted,
// refused for good, greylisted once) and what comes back after it (a human answer, an
// auto-reply, a bounce, a read receipt), drawn from a seeded generator so that a seed always
// gives the same test. Answers follow the shape of the 2023 test: with 68 parties about 24
// answer within 15 min, 35 within 30 min, 42 within 1 h, 59 within 12 h, 61 within 24 h, one
// late, the rest silent (some only automatically).
import type { Directory } from '../core/directory.js';
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
const GREYLIST = { code: 451, response: '451 4.7.1 <{address}>: Recipient address rejected: Greylisted, try again later' };

/** The behaviour of every e-mail address of a directory under a seed. */
export class SimWorld {
  private readonly behaviours = new Map<string, SimBehaviour>();
  private readonly attempts = new Map<string, number>();
  /** Every ping the simulated servers accepted, in order: what "sent exactly once" is checked on. */
  readonly deliveries: Array<{ pingId: string; address: string; token: string; at: Date }> = [];

  constructor(
    directory: Directory,
    readonly seed: number,
  ) {
    this.assign(directory);
  }

  behaviour(address: string): SimBehaviour {
    return this.behaviours.get(address.toLowerCase()) ?? { answers: [] };
  }

  /** Counts an attempt to deliver to an address; returns its number (1 for the first). */
  countAttempt(address: string): number {
    const key = address.toLowerCase();
    const n = (this.attempts.get(key) ?? 0) + 1;
    this.attempts.set(key, n);
    return n;
  }

  private set(address: string, b: SimBehaviour): void {
    this.behaviours.set(address.toLowerCase(), b);
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

    for (const { party, delay } of answering) {
      const [first, ...others] = party.contacts;
      if (!first) continue;
      const address = first.emails[0];
      if (!address) continue;
      const r = rnd();
      const style: SimAnswer['style'] = r < 0.7 ? 'in-reply-to' : r < 0.9 ? 'token' : 'sender';
      this.set(address, { answers: [{ kind: 'reply', afterMs: delay, style }] });
      // The other contact point of a country answers sometimes, later than the first.
      for (const c of others) {
        const a = c.emails[0];
        if (a && rnd() < 0.35) this.set(a, { answers: [{ kind: 'reply', afterMs: Math.round((delay * (1.3 + rnd() * 2)) / 1000) * 1000, style: 'in-reply-to' }] });
      }
    }

    // A few of the answering: an out-of-office first (the desk answers later anyway), a read
    // receipt before the answer, a greylisting server.
    const pick = shuffled(answering, streamFor(this.seed, 'extras'));
    const scaled = (x: number) => Math.max(1, Math.round((x * n) / 68));
    for (const { party, delay } of pick.slice(0, scaled(3))) {
      const b = this.behaviour(party.contacts[0]!.emails[0]!);
      b.answers.unshift({ kind: 'auto-reply', afterMs: Math.min(delay - 1000, 20_000 + Math.round(rnd() * 40) * 1000) });
    }
    for (const { party, delay } of pick.slice(scaled(3), scaled(3) + 1)) {
      const b = this.behaviour(party.contacts[0]!.emails[0]!);
      b.answers.unshift({ kind: 'read-receipt', afterMs: Math.max(1000, Math.round(delay / 2000) * 1000) });
    }
    for (const { party } of pick.slice(scaled(3) + 1, scaled(3) + 2)) {
      const address = party.contacts[0]!.emails[0]!;
      this.set(address, { ...this.behaviour(address), greylisted: fill(GREYLIST, address) });
    }

    // The silent: some answer only automatically, some addresses do not work at all.
    silent.forEach((party, i) => {
      const address = party.contacts[0]?.emails[0];
      if (!address) return;
      switch (i % 4) {
        case 0:
          this.set(address, { answers: [{ kind: 'auto-reply', afterMs: 15_000 + Math.round(rnd() * 60) * 1000 }] });
          break;
        case 1:
          this.set(address, { refused: fill(REFUSALS[0]!, address), answers: [] });
          break;
        case 2:
          this.set(address, { answers: [{ kind: 'bounce', afterMs: 30_000 + Math.round(rnd() * 120) * 1000 }] });
          break;
        default:
          break; // nothing at all
      }
    });
    // A second address of an answering country that no longer exists.
    const spare = answering.flatMap(({ party }) => party.contacts.flatMap((c) => c.emails.slice(c === party.contacts[0] ? 1 : 0)));
    const dead = spare.find((a) => this.behaviour(a).answers.length === 0);
    if (dead) this.set(dead, { refused: fill(REFUSALS[1]!, dead), answers: [] });
  }
}

function fill(r: { code: number; response: string }, address: string) {
  return { code: r.code, response: r.response.replace('{address}', address) };
}
