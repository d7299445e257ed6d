// What a checkpoint (checkpoint.ts) is checked against: the SHA-1 of the log's first bytes and
// the SHA-256 of directory.json, read a piece at a time. A module of its own so that the digest
// worker (digest-worker.ts) loads nothing else and starts at once.
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { open } from 'node:fs/promises';

export interface DigestRequest {
  /** The log, and how many of its first bytes to hash. */
  path: string;
  bytes: number;
  /** A file hashed whole as well (directory.json). */
  whole: string;
}

/** SHA-1 of the log's first bytes, and SHA-256 of the whole file asked for. */
export interface Digests {
  log: string;
  whole: string;
}

/** The digest (SHA-1 unless told) of a file's first `bytes` bytes, in hex, and (`countLines`) how
 * many lines they hold; undefined when the file is shorter. */
export async function prefixDigest(path: string, bytes: number, countLines = true, algorithm = 'sha1'): Promise<{ hex: string; lines: number } | undefined> {
  const fh = await open(path, 'r').catch(() => undefined);
  if (!fh) return undefined;
  try {
    const hash = createHash(algorithm);
    const chunk = Buffer.allocUnsafe(1 << 20);
    let lines = 0;
    for (let pos = 0; pos < bytes; ) {
      const { bytesRead } = await fh.read(chunk, 0, Math.min(chunk.length, bytes - pos), pos);
      if (bytesRead === 0) return undefined;
      const piece = chunk.subarray(0, bytesRead);
      hash.update(piece);
      if (countLines) for (let i = piece.indexOf(0x0a); i >= 0; i = piece.indexOf(0x0a, i + 1)) lines++;
      pos += bytesRead;
    }
    return { hex: hash.digest('hex'), lines };
  } finally {
    await fh.close();
  }
}

/** The digests of a DigestRequest, in this thread (the worker's work). */
export async function digests({ path, bytes, whole }: DigestRequest): Promise<Digests | undefined> {
  const log = await prefixDigest(path, bytes, false);
  const file = log && (await fileDigest(whole));
  return log && file !== undefined ? { log: log.hex, whole: file } : undefined;
}

/** SHA-256 of a whole file as writeDurable gives it (run.json's directoryHash), read a piece at a
 * time (directory.json of 100,000 contact points is 23 MB). */
async function fileDigest(path: string): Promise<string | undefined> {
  return (await prefixDigest(path, statSync(path).size, false, 'sha256'))?.hex;
}
