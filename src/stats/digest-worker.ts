// The worker thread that checks a large run's log against its checkpoint (see checkpoint.ts):
// the SHA-1 of the log's first bytes and the SHA-256 of directory.json, computed on another core while the
// checkpoint is parsed.
import { parentPort, workerData } from 'node:worker_threads';
import { digests, type DigestRequest } from './log-digest.js';

parentPort!.postMessage((await digests(workerData as DigestRequest)) ?? null);
