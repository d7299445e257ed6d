// The one reducer of the event log: everything a run's events say, folded once, in log order,
// in constant time per event. The engine resumes from it, the recorder dedupes with it,
// `rollcall status`, the live view, `inspect --run` and `mark` read it, and the statistics
// (src/stats/compute.ts) compute every figure from it. Rules: docs/measurement.md.
import type {
  DeliveryStatusEvent,
  MessageReceivedEvent,
  OverrideEvent,
  PingFailedEvent,
  PingStartedEvent,
  RunEvent,
  TestProblemEvent,
  WatchCursorEvent,
} from './events.js';
import { addTo } from './group.js';

/**
 * - `sent`: the channel accepted it (never sent again);
 * - `failed`: refused for good (5xx, attempts used up);
 * - `retrying`: a transient failure, next attempt due at `retryAt`;
 * - `unconfirmed`: handed to the channel, no outcome recorded yet — in flight while a process
 *   runs the run, uncertain after a stop (it may or may not have left).
 */
export type PingSendState = 'sent' | 'failed' | 'retrying' | 'unconfirmed';

export interface PingRecord {
  /** The latest attempt's ping-started event (token, Message-ID, address). */
  started: PingStartedEvent;
  /** When the first attempt was started (ISO 8601). */
  firstStartedAt: string;
  state: PingSendState;
  /** When the channel accepted it (the ping-sent event's `sentAt`; the event itself is not kept:
   * its acceptance line is not read again, and it was a tenth of a large run's folded state). */
  sentAt?: string;
  /** The provider's id of the accepted send (a Twilio SID): what a restarted phone watcher follows. */
  providerId?: string;
  lastFailure?: PingFailedEvent;
  /** The ping-started time of the earliest attempt that was never confirmed nor refused before
   * the ping was sent again (`resume --resend-uncertain`): that copy may have left, and it
   * shares its token and Message-ID with the later ones. */
  uncertainSince?: string;
}

export interface RunState {
  /** The run-started event's run id. */
  runId?: string;
  startedAt?: Date;
  endedAt?: Date;
  endReason?: 'window-closed' | 'stopped';
  pings: Map<string, PingRecord>;
  /** Messages received, the first event of each dedupe key only, in log order. */
  messages: MessageReceivedEvent[];
  /** Dedupe keys of the messages recorded. */
  messageKeys: Set<string>;
  /** The last final delivery-status of each ping (a redial answered later replaces a no-answer). */
  finalStatus: Map<string, DeliveryStatusEvent>;
  /** SMS and voice pings: their ping-failed and delivery-status events in log order (what a
   * number's finding rests on: "busy, 3 calls", opted out). */
  phoneEvents: Map<string, Array<DeliveryStatusEvent | PingFailedEvent>>;
  /** Problems of the test itself (webhooks not arriving), in log order. */
  testProblems: TestProblemEvent[];
  /** Manual corrections and hand-entered answers, in log order. */
  overrides: OverrideEvent[];
  /** The last cursor of each watched folder, by `<channel>:<folder>`. */
  cursors: Map<string, WatchCursorEvent>;
  /** Messages that were not the test's, counted by the watchers and forgotten. */
  ignored: number;
  /** Events folded so far. */
  count: number;
}

export function emptyRunState(): RunState {
  return { pings: new Map(), messages: [], messageKeys: new Set(), finalStatus: new Map(), phoneEvents: new Map(), testProblems: [], overrides: [], cursors: new Map(), ignored: 0, count: 0 };
}

export function foldRunState(events: Iterable<RunEvent>, state: RunState = emptyRunState()): RunState {
  for (const e of events) applyEvent(state, e);
  return state;
}

export function applyEvent(state: RunState, e: RunEvent): void {
  state.count++;
  switch (e.type) {
    case 'run-started':
      state.startedAt ??= new Date(e.at);
      state.runId ??= e.runId;
      break;
    case 'run-ended':
      state.endedAt = new Date(e.at);
      state.endReason = e.reason;
      break;
    case 'ping-started': {
      const prev = state.pings.get(e.pingId);
      if (prev?.state === 'sent') break; // a confirmed ping is settled for good
      // The attempt before this one was never confirmed nor refused: it may have left.
      const uncertainSince = prev?.uncertainSince ?? (prev?.state === 'unconfirmed' ? prev.started.at : undefined);
      // Every field present from the start (undefined until known): set later, a field would
      // take a property store of its own per ping (8 MB in a run of 100,000 contact points).
      const rec: PingRecord = {
        started: e,
        firstStartedAt: prev?.firstStartedAt ?? e.at,
        state: 'unconfirmed',
        sentAt: undefined,
        providerId: undefined,
        lastFailure: prev?.lastFailure,
        uncertainSince: uncertainSince || undefined,
      };
      state.pings.set(e.pingId, rec);
      break;
    }
    case 'ping-sent': {
      const rec = state.pings.get(e.pingId);
      if (rec) {
        rec.state = 'sent';
        rec.sentAt = e.sentAt;
        rec.providerId = e.providerId;
      }
      break;
    }
    case 'ping-failed': {
      const rec = state.pings.get(e.pingId);
      if (rec && (rec.started.channel === 'sms' || rec.started.channel === 'voice')) phoneEvent(state, e);
      if (rec && rec.state !== 'sent') {
        rec.state = e.permanent ? 'failed' : 'retrying';
        rec.lastFailure = e;
      }
      break;
    }
    case 'message-received':
      // The recorder drops a key seen before; a log written by another tool may not.
      if (!state.messageKeys.has(e.key)) {
        state.messageKeys.add(e.key);
        state.messages.push(e);
      }
      break;
    case 'delivery-status':
      if (e.final) state.finalStatus.set(e.pingId, e);
      if (e.channel === 'sms' || e.channel === 'voice') phoneEvent(state, e);
      break;
    case 'test-problem':
      state.testProblems.push(e);
      break;
    case 'watch-cursor':
      state.cursors.set(`${e.channel}:${e.folder}`, e);
      if (typeof e.ignored === 'number' && e.ignored > 0) state.ignored += e.ignored;
      break;
    case 'override':
      state.overrides.push(e);
      break;
    default:
      break;
  }
}

/** The reasons of every message as a lean state holds it: none. */
const NO_WORDS: string[] = [];

/**
 * A received message as a running run's state holds it (heldMessage): without the classifier's
 * words, the raw copy's file name and, unless it reports a failed or delayed delivery, its
 * subject. They are in the log, which every reader of those goes back to (`inspect`, `mark`,
 * the reports); a run of 100,000 contact points held 60,000 of them for its whole length.
 * Everything the run itself reads back stays: key, channel, times, sender, Message-ID, class,
 * ping, bounce, other test, authenticity; `keepFile` keeps the file name too (`mark`, `inspect`
 * find a message by its file).
 */
export function heldMessage(e: MessageReceivedEvent, keepFile = false, state?: RunState): MessageReceivedEvent {
  // Every field written, absent ones undefined: one object shape for all messages. Words and
  // times that repeat are held once, and the ping's id as the ping holds it (a message read
  // back from JSON has strings of its own: 200 bytes a message in a run of 100,000).
  const receivedAt = word(e.receivedAt);
  return {
    v: e.v,
    at: e.at === receivedAt ? receivedAt : word(e.at),
    type: e.type,
    key: e.key,
    channel: word(e.channel) as MessageReceivedEvent['channel'],
    receivedAt,
    from: e.from,
    subject: e.class === 'bounce' || e.class === 'delay' ? e.subject : undefined,
    messageId: e.messageId,
    folder: e.folder === undefined ? undefined : word(e.folder),
    file: keepFile ? e.file : undefined,
    class: word(e.class) as MessageReceivedEvent['class'],
    reasons: NO_WORDS,
    pingId: e.pingId === undefined ? undefined : (state?.pings.get(e.pingId)?.started.pingId ?? e.pingId),
    matchedBy: e.matchedBy === undefined ? undefined : (word(e.matchedBy) as MessageReceivedEvent['matchedBy']),
    bounce: e.bounce,
    otherTest: e.otherTest,
    authenticity: e.authenticity,
  };
}

/** An event as a lean state holds it: a message as heldMessage holds it, any other as it is. */
export function heldEvent(e: RunEvent, keepFile = false, state?: RunState): RunEvent {
  return e.type === 'message-received' ? heldMessage(e, keepFile, state) : e;
}

/** Short values that repeat (classes, channels, folders, the times of a burst), each held once:
 * the most recent few thousand. */
const WORDS = new Map<string, string>();
function word(w: string): string {
  const seen = WORDS.get(w);
  if (seen !== undefined) return seen;
  if (WORDS.size >= 4096) WORDS.clear();
  WORDS.set(w, w);
  return w;
}

function phoneEvent(state: RunState, e: DeliveryStatusEvent | PingFailedEvent): void {
  addTo(state.phoneEvents, e.pingId, e);
}

/**
 * The earliest moment a ping may have reached its contact point (ms), or undefined when it
 * never left: the start of an uncertain earlier copy, else the channel's acceptance, else (the
 * last attempt unconfirmed) that attempt's start. An upper bound of the response time when the
 * real send time is unknown (docs/measurement.md, "Uncertain and resent pings").
 */
export function earliestCopyMs(rec: PingRecord): number | undefined {
  return earliestCopyMsOfFields(rec.uncertainSince, rec.sentAt, rec.state, rec.started.at);
}

/** earliestCopyMs from the record's fields, wherever they are held (the statistics' ping columns:
 * src/stats/run-rows.ts): the latest attempt's `startedAt`. */
export function earliestCopyMsOfFields(uncertainSince: string | undefined, sentAt: string | undefined, state: PingSendState, startedAt: string): number | undefined {
  if (uncertainSince) return Date.parse(uncertainSince);
  if (sentAt !== undefined) return Date.parse(sentAt);
  if (state === 'unconfirmed') return Date.parse(startedAt);
  return undefined;
}

export interface SendCounts {
  /** Pings the plan calls for. */
  planned: number;
  sent: number;
  failed: number;
  retrying: number;
  unconfirmed: number;
  /** Never handed to a channel yet. */
  notStarted: number;
}

export function sendCounts(state: RunState, planned: number): SendCounts {
  const c: SendCounts = { planned, sent: 0, failed: 0, retrying: 0, unconfirmed: 0, notStarted: 0 };
  for (const r of state.pings.values()) c[r.state]++;
  c.notStarted = Math.max(0, planned - state.pings.size);
  return c;
}
