// The worker thread that reads a large run's directory.json for the statistics (see
// counting-directory.ts): read, checked and slimmed here, sent back compact.
import { parentPort, workerData } from 'node:worker_threads';
import { InputError } from '../core/errors.js';
import { RunFolder } from '../core/run-folder.js';
import { forCounting, toWire, type DirectoryReply, type DirectoryRequest } from './counting-directory.js';

const { dir, channels } = workerData as DirectoryRequest;
let reply: DirectoryReply;
try {
  reply = { ok: true, directory: toWire(forCounting(RunFolder.at(dir).directory(), channels)) };
} catch (e) {
  if (!(e instanceof InputError)) throw e;
  reply = { ok: false, problems: e.problems };
}
parentPort!.postMessage(reply);
