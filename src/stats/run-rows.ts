// What the statistics read of a run, in rows: its pings a column per field, its messages visited
// one at a time with the row of the ping each names. Made from a folded state (inputOfState) or
// straight from a checkpoint's columns (checkpoint.ts), which then never builds a record per ping
// and message, nor a map of 100,000 ping ids, for a `stats` that reads each of them once.
import type { ChannelName, DeliveryStatusEvent, MessageReceivedEvent, OverrideEvent, PingFailedEvent, TestProblemEvent } from '../core/events.js';
import { earliestCopyMsOfFields, type PingSendState, type RunState } from '../core/run-state.js';

/** The run's pings, row by row (a row per ping id, in the order the log first started them). */
export interface PingColumns {
  size: number;
  pingId: string[];
  contactId: string[];
  /** The country's ISO code as the log writes it. */
  iso: string[];
  channel: ChannelName[];
  address: string[];
  /** The latest attempt's ping-started time. */
  startedAt: string[];
  /** When its first attempt started. */
  firstStartedAt: string[];
  state: PingSendState[];
  /** When the channel accepted it. */
  sentAt: Array<string | undefined>;
  /** By row, only where set: the last failure, and the start of an attempt that may have left
   * before it was sent again (PingRecord's fields). */
  lastFailure: Map<number, PingFailedEvent>;
  uncertainSince: Map<number, string>;
}

/** Calls `visit` for every message, in log order, with the row of the ping it names (undefined:
 * it names none of the run's). The message may be kept: it is not reused. */
export type MessageVisitor = (visit: (m: MessageReceivedEvent, ping: number | undefined) => void) => void;

export interface StatsInput {
  pings: PingColumns;
  messages: MessageVisitor;
  phoneEvents: Map<string, Array<DeliveryStatusEvent | PingFailedEvent>>;
  testProblems: TestProblemEvent[];
  overrides: OverrideEvent[];
}

function emptyPingColumns(): PingColumns {
  return {
    size: 0,
    pingId: [],
    contactId: [],
    iso: [],
    channel: [],
    address: [],
    startedAt: [],
    firstStartedAt: [],
    state: [],
    sentAt: [],
    lastFailure: new Map(),
    uncertainSince: new Map(),
  };
}

/** The rows of a folded state (its pings in the state's order). */
export function inputOfState(state: RunState): StatsInput {
  const pings = emptyPingColumns();
  const rowOf = new Map<string, number>();
  for (const [id, rec] of state.pings) {
    const row = pings.size++;
    const s = rec.started;
    rowOf.set(id, row);
    pings.pingId.push(s.pingId);
    pings.contactId.push(s.contactId);
    pings.iso.push(s.iso);
    pings.channel.push(s.channel);
    pings.address.push(s.address);
    pings.startedAt.push(s.at);
    pings.firstStartedAt.push(rec.firstStartedAt);
    pings.state.push(rec.state);
    pings.sentAt.push(rec.sentAt);
    if (rec.lastFailure) pings.lastFailure.set(row, rec.lastFailure);
    if (rec.uncertainSince) pings.uncertainSince.set(row, rec.uncertainSince);
  }
  return {
    pings,
    messages: (visit) => {
      for (const m of state.messages) visit(m, m.pingId !== undefined ? rowOf.get(m.pingId) : undefined);
    },
    phoneEvents: state.phoneEvents,
    testProblems: state.testProblems,
    overrides: state.overrides,
  };
}

/** The earliest moment a ping may have reached its contact point (earliestCopyMs of its record). */
export function earliestCopyMsOf(pings: PingColumns, row: number): number | undefined {
  return earliestCopyMsOfFields(pings.uncertainSince.get(row), pings.sentAt[row], pings.state[row]!, pings.startedAt[row]!);
}
