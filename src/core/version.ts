// The version of rollcall itself (package.json), read once: what run.json, the checkpoint, the
// reports and `rollcall --version` name.
import { readFileSync } from 'node:fs';

let cachedVersion: string | undefined;

export function toolVersion(): string {
  cachedVersion ??= (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  return cachedVersion;
}
