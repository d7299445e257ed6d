// The worker thread that checks a large run's log against its checkpoint (see checkpoint.ts):
// the SHA-1 of the log's first bytes, computed on another core while the checkpoint is parsed.
import { parentPort, workerData } from 'node:worker_threads';
import { prefixDigest, type DigestRequest } from './checkpoint.js';

const { path, bytes } = workerData as DigestRequest;
parentPort!.postMessage((await prefixDigest(path, bytes, false)) ?? null);
