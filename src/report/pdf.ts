// PDF through headless Chromium (Debian's `chromium`): the HTML report printed with its own A4
// print styles. No browser is downloaded; when none is installed the user is told how to get one.
import { execFile } from 'node:child_process';
import { access, constants, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SettingsError, WorkError } from '../core/errors.js';

const FIXED = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
const ON_PATH = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

async function executable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/** The Chromium to print with: `explicit` when given (and only it), else the usual places. */
export async function findChromium(explicit?: string, pathVar = process.env.PATH ?? ''): Promise<string | undefined> {
  if (explicit) return (await executable(explicit)) ? explicit : undefined;
  for (const f of FIXED) if (await executable(f)) return f;
  for (const dir of pathVar.split(delimiter).filter(Boolean)) {
    for (const name of ON_PATH) if (await executable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

export function chromiumMissing(explicit?: string): SettingsError {
  const where = explicit ? explicit : `${FIXED[0]} or ${ON_PATH.join(', ')} on PATH`;
  return new SettingsError(
    `--format pdf needs headless Chromium, which was not found (looked for ${where}). ` +
      `Install it (Debian/Ubuntu: apt-get install chromium), or leave pdf out: the HTML report prints to A4 from any browser.`,
  );
}

/** The flags every headless Chromium we start gets: no network chatter, no profile, no sandbox
 * (containers run as root). */
export function chromiumFlags(userDataDir: string): string[] {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    `--user-data-dir=${userDataDir}`,
  ];
}

/** Prints `htmlFile` to `pdfFile`. Throws WorkError with Chromium's last words when it fails. */
export async function printPdf(chromium: string, htmlFile: string, pdfFile: string, timeoutMs = 90_000): Promise<void> {
  const profile = await mkdtemp(join(tmpdir(), 'rollcall-chromium-'));
  try {
    const args = [...chromiumFlags(profile), '--no-pdf-header-footer', `--print-to-pdf=${pdfFile}`, pathToFileURL(htmlFile).href];
    await new Promise<void>((resolveRun, reject) => {
      execFile(chromium, args, { timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 }, (err, _stdout, stderr) => {
        if (err) {
          const tail = String(stderr).trim().split('\n').slice(-3).join(' / ');
          reject(new WorkError(`Chromium could not print the PDF (${err.killed ? 'timed out' : `exit ${String(err.code)}`})${tail ? `: ${tail}` : ''}`));
        } else resolveRun();
      });
    });
    const size = await stat(pdfFile).then((s) => s.size, () => 0);
    if (size === 0) throw new WorkError(`Chromium ran but wrote no PDF to ${pdfFile}`);
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}
