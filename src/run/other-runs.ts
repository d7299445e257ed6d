// Which run sent a ping with a given token, among the run folders beside this one: an answer to
// another test says which test it answers ("RC-GA9YHA was sent by run 2024-05-02T0800Z-k3f9").
// Read only when a message names a token that is not this run's, and then incrementally: each
// folder's events.jsonl is read once, from where the last look stopped.
import type { Dirent } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

const PING_STARTED = '"type":"ping-started"';

export class OtherRuns {
  private readonly byToken = new Map<string, string>();
  /** Bytes of each folder's log already read (up to a complete line). */
  private readonly readUpTo = new Map<string, number>();
  private scanning: Promise<void> | undefined;

  constructor(
    /** This run's folder: the others are its siblings. */
    private readonly runDir: string,
  ) {}

  /** The id (folder name) of the other run that sent this token, or undefined. */
  async find(token: string): Promise<string | undefined> {
    const key = token.toUpperCase();
    const known = this.byToken.get(key);
    if (known) return known;
    // Serialise scans; a miss reads only what the logs gained since.
    this.scanning = (this.scanning ?? Promise.resolve()).then(() => this.scan()).catch(() => undefined);
    await this.scanning;
    return this.byToken.get(key);
  }

  private async scan(): Promise<void> {
    const parent = dirname(this.runDir);
    const own = basename(this.runDir);
    let entries: Dirent[];
    try {
      entries = await readdir(parent, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (!entry.isDirectory() || entry.name === own) continue;
      await this.readLog(entry.name, join(parent, entry.name, 'events.jsonl'));
    }
  }

  private async readLog(runId: string, path: string): Promise<void> {
    let fh;
    try {
      fh = await open(path, 'r');
    } catch {
      return; // not a run folder, or a run not started
    }
    try {
      let readPos = this.readUpTo.get(runId) ?? 0;
      const buf = Buffer.alloc(1 << 20);
      let pending: Buffer = Buffer.alloc(0);
      for (;;) {
        const { bytesRead } = await fh.read(buf, 0, buf.length, readPos);
        if (bytesRead === 0) break;
        readPos += bytesRead;
        const chunk = pending.length ? Buffer.concat([pending, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
        const end = chunk.lastIndexOf(0x0a);
        if (end !== -1) for (const line of chunk.subarray(0, end).toString('utf8').split('\n')) this.take(runId, line);
        pending = Buffer.from(chunk.subarray(end + 1));
      }
      // A last line without its newline is read again next time, whole.
      this.readUpTo.set(runId, readPos - pending.length);
    } finally {
      await fh.close();
    }
  }

  private take(runId: string, line: string): void {
    if (!line.includes(PING_STARTED)) return;
    try {
      const e = JSON.parse(line) as { token?: unknown };
      if (typeof e.token === 'string') this.byToken.set(e.token.toUpperCase(), runId);
    } catch {
      // a line cut short by a crash: not ours to judge here
    }
  }
}
