// rollcall resume: not built yet.
import type { Output } from './output.js';
import { notBuilt } from './not-built.js';

export async function run(_args: string[], _opts: Record<string, unknown>, _o: Output): Promise<number> {
  notBuilt('resume');
}
