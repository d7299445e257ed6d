// A worker thread asked one thing: its script, and the one message it answers with. What a large
// directory.json and a large run's statistics are read in, so that their garbage goes away with
// the worker's heap.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/** The compiled worker script is there (run from the sources, as in the tests, it is not: the
 * caller does the work itself). */
export function hasWorker(url: URL): boolean {
  return existsSync(fileURLToPath(url));
}

/** Starts the worker with `workerData` and resolves with the first message it posts; rejects when
 * it fails, or stops without answering (`what` names it then). The worker starts before this
 * returns: work the caller then does synchronously runs beside it. */
export function workerReply<T>(url: URL, workerData: unknown, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const worker = new Worker(url, { workerData });
    worker.once('message', (m: T) => resolve(m));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`${what} stopped (exit code ${code}) before it answered`)));
  });
}
