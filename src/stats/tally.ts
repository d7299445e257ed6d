// Per contact point: its first acknowledgement and the kinds of everything else that arrived.
// The reply-log importer and the event reader both feed it; summarize() turns it into Stats.
// Kept small and allocation-free per message, since a reply log can hold millions of rows.
import type { AuthenticityVerdict, ChannelName, HandEnteredChannel } from '../core/events.js';

/** What a message that answers a ping is, for the statistics. */
export type ReceivedKind = 'reply' | 'auto-reply' | 'bounce' | 'delay' | 'read-receipt';

/** One bit per ReceivedKind, so a contact point's mix of messages fits in one number. */
export const KIND_BIT: Readonly<Record<ReceivedKind, number>> = {
  reply: 1,
  'auto-reply': 2,
  bounce: 4,
  delay: 8,
  'read-receipt': 16,
};

/** Kinds sent by the contact point's side without a person answering: what makes a country
 * "automatic only". Bounces and delay notices are the network's, not an answer of any kind
 * (docs/measurement.md, "Outcome of a country"). */
export const AUTOMATIC_BITS = KIND_BIT['auto-reply'] | KIND_BIT['read-receipt'];

const CHANNEL_BIT: Readonly<Record<ChannelName, number>> = { email: 1, sms: 2, voice: 4, sim: 8 };

/** An answer entered by hand (`rollcall mark --as reply --at`): how it came, and why. */
export interface HandEnteredAnswer {
  channel: HandEnteredChannel;
  note: string;
}

export function kindsOf(bits: number): ReceivedKind[] {
  return (Object.keys(KIND_BIT) as ReceivedKind[]).filter((k) => (bits & KIND_BIT[k]) !== 0);
}

export class ContactTally {
  /** Arrival of the first acknowledgement (ms since epoch); Infinity while there is none. */
  ackArrivedMs = Infinity;
  /** Send time of the ping that first acknowledgement answers (ms). */
  // -0, not 0: a double from the start. A field made with a small integer and later given a
  // time in ms changes representation, and V8 then migrates every ContactTally made before, one
  // at a time on its next use (a quarter of a second over the 100,000 of a large run).
  ackSentMs = -0;
  ackChannel: ChannelName | undefined = undefined;
  ackFolder: string | undefined = undefined;
  /** KIND_BIT set of every kind of message received. */
  received = 0;
  /** Channel of the first bounce (a reply log names no address: the finding names the contact). */
  bounceChannel: ChannelName | undefined = undefined;
  /** The first acknowledgement was entered by hand. */
  ackHandEntered: HandEnteredAnswer | undefined = undefined;
  /** Authenticity verdict of the first acknowledgement (e-mail), when checked. */
  ackAuthenticity: AuthenticityVerdict | undefined = undefined;
  /** Channels (a bit each) this contact point was pinged on, and those on which a ping bounced:
   * a reply log names no address, so there the channel stands for the address. */
  pingedChannels = 0;
  bouncedChannels = 0;
  /** Set by a source that knows the addresses (the event log): every address of this contact
   * point that was tested failed for good. Without it, judged by channel. */
  allFailed: boolean | undefined = undefined;

  constructor(
    readonly countryKey: string,
    readonly contactId: string,
  ) {}

  /** Records one message that answers a ping sent at sentMs. The contact point's response time
   * is that of its first acknowledgement by arrival (docs/measurement.md); on equal arrival the
   * shorter response time wins. */
  add(channel: ChannelName, sentMs: number, arrivedMs: number, bit: number, folder?: string, hand?: HandEnteredAnswer, authenticity?: AuthenticityVerdict): void {
    this.received |= bit;
    this.pingedChannels |= CHANNEL_BIT[channel];
    if (bit === 1) {
      if (arrivedMs < this.ackArrivedMs || (arrivedMs === this.ackArrivedMs && sentMs > this.ackSentMs)) {
        this.ackArrivedMs = arrivedMs;
        this.ackSentMs = sentMs;
        this.ackChannel = channel;
        this.ackFolder = folder;
        this.ackHandEntered = hand;
        this.ackAuthenticity = authenticity;
      }
    } else if (bit === 4) {
      this.bouncedChannels |= CHANNEL_BIT[channel];
      this.bounceChannel ??= channel;
    }
  }

  /** Notes a ping on a channel that nothing (yet) answered. */
  pingedOn(channel: ChannelName): void {
    this.pingedChannels |= CHANNEL_BIT[channel];
  }

  /** Every address tested failed for good (5xx, bounce, provider refusal): nothing can reach it. */
  get unreachable(): boolean {
    if (this.allFailed !== undefined) return this.allFailed;
    return this.pingedChannels !== 0 && (this.pingedChannels & ~this.bouncedChannels) === 0;
  }

  /** Response time in ms, or undefined when no acknowledgement arrived. IMAP arrival times have
   * whole seconds, so an answer within the ping's own second can seem older than it: that is 0. */
  get responseMs(): number | undefined {
    return this.ackArrivedMs === Infinity ? undefined : Math.max(0, this.ackArrivedMs - this.ackSentMs);
  }
}

export interface CountryTally {
  key: string;
  /** Where the country first appears in its source (reply-log row), for errors. */
  firstRow: number | undefined;
  contacts: Map<string, ContactTally>;
}

/** Every country and contact point pinged, keyed by the source's country key (a reply log's
 * country name, an event log's ISO code). */
export class ResponseTally {
  readonly countries = new Map<string, CountryTally>();
  readonly channels = new Set<ChannelName>();
  /** Earliest send time and latest arrival seen (ms), for the source's time span. */
  firstSentMs = Infinity;
  lastArrivedMs = -Infinity;

  /** The contact point's tally, created (as pinged, nothing received) when new. */
  contact(countryKey: string, contactId: string, row?: number): ContactTally {
    let country = this.countries.get(countryKey);
    if (country === undefined) {
      country = { key: countryKey, firstRow: row, contacts: new Map() };
      this.countries.set(countryKey, country);
    }
    let contact = country.contacts.get(contactId);
    if (contact === undefined) {
      contact = new ContactTally(countryKey, contactId);
      country.contacts.set(contactId, contact);
    }
    return contact;
  }

  /** Notes a ping's channel and send time (the source's time span). */
  pinged(channel: ChannelName, sentMs: number): void {
    this.channels.add(channel);
    if (sentMs < this.firstSentMs) this.firstSentMs = sentMs;
  }

  arrived(arrivedMs: number): void {
    if (arrivedMs > this.lastArrivedMs) this.lastArrivedMs = arrivedMs;
  }
}
