// The run folder (DESIGN.md section 2): where everything a run knows lives, on disk.
import { join } from 'node:path';
import type { ChannelName } from './events.js';

/** run.json: the plan of a run, written once when the run is created. */
export interface RunPlan {
  id: string;
  /** Tool version that created it. */
  version: string;
  createdAt: string;
  /** Planned start (ISO 8601 UTC). With --between it stays secret from the output until then. */
  startAt: string;
  /** How --at/--between was given, for the record. */
  schedule: { kind: 'now' | 'at' | 'between'; tz: string; between?: string; on?: string };
  windowSeconds: number;
  bucketSeconds: number[];
  channels: ChannelName[];
  includeObservers: boolean;
  /** sha256 of directory.json. */
  directoryHash: string;
  /** Source file of the directory, as given. */
  directoryFile: string;
  network: string;
  /** IMAP folders watched. */
  folders: string[];
  /** The secretariat's own zone, for reports. */
  tz: string;
  /** True for `rollcall demo` (simulated contact points). */
  simulated?: boolean;
  /** The demo's simulated contact points (seed) and its pace, so that `resume` goes on with the
   * same ones. */
  sim?: { seed: number; speed: number };
}

export const runPaths = (runDir: string) => ({
  plan: join(runDir, 'run.json'),
  directory: join(runDir, 'directory.json'),
  events: join(runDir, 'events.jsonl'),
  messages: join(runDir, 'messages'),
  lock: join(runDir, 'lock'),
  reports: join(runDir, 'reports'),
});
