// Module hooks that write every resolved module URL to $TRACE_FILE (used to prove what a command loads).
import { appendFileSync } from 'node:fs';

export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (process.env.TRACE_FILE) appendFileSync(process.env.TRACE_FILE, result.url + '\n');
  return result;
}
