// The worker thread that computes the statistics of a large run folder or event log for a
// report (see loadStatsSourceApart in source.ts): the folded log, every event of it, stays in
// this thread's heap, which goes away with it; only the statistics go back.
import { parentPort, workerData } from 'node:worker_threads';
import { InputError, RollcallError } from '../core/errors.js';
import { governHeap } from '../core/heap-governor.js';
import { loadStatsSource, type SourceReply, type SourceRequest } from './source.js';

const { path, opts } = workerData as SourceRequest;
// The fold's garbage collected as it goes (the statistics' loops tick the governor): a report's
// memory is this thread's heap on top of the main one's.
governHeap();
let reply: SourceReply;
try {
  reply = { ok: true, source: await loadStatsSource(path, opts) };
} catch (e) {
  if (!(e instanceof RollcallError)) throw e;
  reply = { ok: false, message: e.message, exitCode: e.exitCode, ...(e instanceof InputError ? { problems: e.problems } : {}) };
}
parentPort!.postMessage(reply);
