// Errors the user can fix, each with the exit code it ends the command with (docs/architecture.md, "Errors and exit codes").
// Anything else thrown is a bug: the top-level handler prints it with its stack.

/** Exit codes, as linters use them. */
export const EXIT = {
  ok: 0,
  /** The command ran and found problems, or could not finish its work. */
  problems: 1,
  /** It could not start: bad usage, unreadable or invalid input, missing settings. */
  cannotStart: 2,
} as const;

export class RollcallError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad command-line usage: unknown option value, missing argument, conflicting flags. */
export class UsageError extends RollcallError {
  constructor(message: string) {
    super(message, EXIT.cannotStart);
  }
}

/** One located problem in an input file. */
export interface InputProblem {
  file: string;
  /** 1-based line (YAML/JSON, events.jsonl) or row (CSV, header = row 1). */
  line?: number;
  row?: number;
  /** Worksheet of a spreadsheet (.xlsx): the place reads `sheet S, row R, column C`. */
  sheet?: string;
  field?: string;
  message: string;
}

export function formatProblem(p: InputProblem): string {
  if (p.sheet !== undefined) {
    const place = [`sheet ${p.sheet}`, p.row !== undefined ? `row ${p.row}` : '', p.field ? `column ${p.field}` : ''].filter(Boolean);
    return `${p.file}: ${place.join(', ')}: ${p.message}`;
  }
  // `file:12:` as compilers write it (editors jump to it); CSV rows stay `file:row 5:`, since a
  // row may span several lines.
  const where = p.line !== undefined ? `${p.file}:${p.line}` : p.row !== undefined ? `${p.file}:row ${p.row}` : p.file;
  return `${where}: ${p.field ? `${p.field}: ` : ''}${p.message}`;
}

/** An input file that cannot be read, parsed or used; lists every problem found. */
export class InputError extends RollcallError {
  constructor(readonly problems: InputProblem[]) {
    super(problems.map(formatProblem).join('\n'), EXIT.cannotStart);
  }
}

/** A required setting is missing or malformed (environment, config file). */
export class SettingsError extends RollcallError {
  constructor(message: string) {
    super(message, EXIT.cannotStart);
  }
}

/** The command ran but could not finish its work (a server went away for good, a run is locked...). */
export class WorkError extends RollcallError {
  constructor(message: string) {
    super(message, EXIT.problems);
  }
}

/** The disk holding a run folder is full (ENOSPC) or the user's quota is used up (EDQUOT): the
 * command stops with one plain line naming the folder; what was half-written is removed. */
export class DiskFullError extends WorkError {
  constructor(
    /** The folder that could not be written to. */
    readonly folder: string,
    readonly code: 'ENOSPC' | 'EDQUOT',
    what = `cannot write to ${folder}`,
  ) {
    super(`${what}: ${code === 'EDQUOT' ? 'the disk quota is used up' : 'no space left on its disk'} (${code})`);
  }
}

/** A DiskFullError for an ENOSPC/EDQUOT error, anything else as it is. */
export function storageError(e: unknown, folder: string, what?: string): unknown {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (e instanceof DiskFullError) return what ? new DiskFullError(folder, e.code, what) : e;
  return code === 'ENOSPC' || code === 'EDQUOT' ? new DiskFullError(folder, code, what) : e;
}

/** Removes credentials from a URL (or from any text holding one) before it is shown or stored:
 * everything between `scheme://` and the last `@` of the same word, so that an unencoded `/` or
 * `@` in a password does not leave half of it; and the same without `//` for the schemes of our
 * settings (`smtp:user:pass@host`). */
export function redact(text: string): string {
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s]*@/gi, '$1***@')
    .replace(/\b((?:smtps?|imaps?|lmtp|https?):)(?!\/\/)[^\s]*@/gi, '$1***@');
}
