// Where a run stands, folded from its event log: started or not, ended or not, and every ping's
// sending state. The engine resumes from it; `rollcall status` and the live view show it.
import type { PingFailedEvent, PingSentEvent, PingStartedEvent, RunEvent } from './events.js';

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
  state: PingSendState;
  sent?: PingSentEvent;
  lastFailure?: PingFailedEvent;
}

export interface RunState {
  startedAt?: Date;
  endedAt?: Date;
  endReason?: 'window-closed' | 'stopped';
  pings: Map<string, PingRecord>;
  /** Events folded so far. */
  count: number;
}

export function emptyRunState(): RunState {
  return { pings: new Map(), count: 0 };
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
      break;
    case 'run-ended':
      state.endedAt = new Date(e.at);
      state.endReason = e.reason;
      break;
    case 'ping-started': {
      const prev = state.pings.get(e.pingId);
      if (prev?.state === 'sent') break; // a confirmed ping is settled for good
      state.pings.set(e.pingId, { started: e, state: 'unconfirmed', ...(prev?.lastFailure ? { lastFailure: prev.lastFailure } : {}) });
      break;
    }
    case 'ping-sent': {
      const rec = state.pings.get(e.pingId);
      if (rec) {
        rec.state = 'sent';
        rec.sent = e;
      }
      break;
    }
    case 'ping-failed': {
      const rec = state.pings.get(e.pingId);
      if (rec && rec.state !== 'sent') {
        rec.state = e.permanent ? 'failed' : 'retrying';
        rec.lastFailure = e;
      }
      break;
    }
    default:
      break;
  }
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
