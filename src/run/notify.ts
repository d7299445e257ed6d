// Telling the secretariat how an unattended run goes (--notify): one e-mail when it starts (sent
// once the run-started event is on disk, so a drawn start is never told before it happens), one
// when it stops on an error, one when the window closes with the table and the HTML report.
// A notice that cannot be sent is a warning: it never stops or fails the run.
import { hostname } from 'node:os';
import { basename } from 'node:path';
import type { Directory } from '../core/directory.js';
import type { RunPlan } from '../core/run-folder.js';
import { formatWall } from '../core/time.js';
import { formatDuration } from '../core/duration.js';
import { redact, SettingsError, UsageError } from '../core/errors.js';
import { parseServerUrl, requireSetting, type Settings } from '../settings.js';
import type { Notice } from '../channels/notice-mail.js';
import { planPings } from './plan.js';
import type { Stats } from '../stats/types.js';

/** What the end notice tells: the figures and the reports written (a SessionResult). */
export interface EndedSitting {
  stats?: Stats;
  reports: string[];
  reportError?: string;
}

export interface RunNotifier {
  /** The run has just started (its run-started event is recorded). */
  started(at: Date): void;
  /** The sitting stopped on an error the user must fix before `resume`. */
  failed(error: unknown): Promise<void>;
  /** The window closed; the reports are written. */
  ended(result: EndedSitting): Promise<void>;
  /** Resolves when every notice handed over so far is sent or given up. */
  settled(): Promise<void>;
}

export interface NotifierOptions {
  to: string[];
  plan: RunPlan;
  directory: Directory;
  /** Absolute path of the run folder (the notice is read on another machine than a terminal). */
  runDir: string;
  settings: Settings;
  insecureTls?: boolean;
  /** Where a notice that could not be sent is reported. */
  warn: (message: string) => void;
  /** Sends one notice (default: through the SMTP server of ROLLCALL_SMTP_URL). */
  send?: (notice: Notice) => Promise<void>;
}

/** --notify a@example.org,b@example.org: the addresses, each checked. */
export function parseNotifyAddresses(list: string): string[] {
  const out = list.split(',').map((a) => a.trim()).filter(Boolean);
  if (out.length === 0) throw new UsageError('--notify: give the e-mail address to tell (e.g. --notify secretariat@example.org)');
  for (const a of out) {
    if (!/^[^@\s<>,]+@[^@\s<>,]+\.[^@\s<>,]+$/.test(a)) throw new UsageError(`--notify: "${a}" is not an e-mail address`);
  }
  return [...new Set(out)];
}

/** The settings a notice needs (the SMTP server and our address), whatever the run's channels. */
export function checkNotifySettings(settings: Settings): void {
  parseServerUrl(requireSetting(settings, 'smtpUrl', 'ROLLCALL_SMTP_URL'), 'ROLLCALL_SMTP_URL', ['smtp', 'smtps']);
  const from = requireSetting(settings, 'from', 'ROLLCALL_FROM');
  if (!/@[^@\s>]+\.[^@\s>]+>?\s*$/.test(from)) throw new SettingsError(`ROLLCALL_FROM is not an e-mail address: ${from}`);
}

/** `2024-06-05 10:31 Europe/Paris (08:31 UTC)`. */
function when(d: Date, tz: string): string {
  const local = `${formatWall(d, tz)} ${tz}`;
  return tz === 'UTC' ? local : `${local} (${formatWall(d, 'UTC').slice(11)} UTC)`;
}

export function createNotifier(o: NotifierOptions): RunNotifier {
  const pending = new Set<Promise<void>>();
  const { plan } = o;
  const about = `${plan.network}: the responsiveness test`;
  const footer = `\n--\nrollcall, run ${plan.id} on ${hostname()}\nRun folder: ${o.runDir}\n`;
  const send = async (notice: Omit<Notice, 'to' | 'runId'>): Promise<void> => {
    const full: Notice = { ...notice, to: o.to, runId: plan.id };
    try {
      if (o.send) await o.send(full);
      else {
        const { sendNotice } = await import('../channels/notice-mail.js');
        await sendNotice(full, o.settings, o.insecureTls ? { insecureTls: true } : {});
      }
    } catch (e) {
      o.warn(`could not send the notice "${notice.subject}" to ${o.to.join(', ')}: ${redact((e as Error)?.message ?? String(e))}`);
    }
  };
  const track = (p: Promise<void>) => {
    pending.add(p);
    void p.finally(() => pending.delete(p));
    return p;
  };

  return {
    started(at) {
      const pings = planPings(o.directory, plan.channels);
      const contacts = new Set(pings.map((p) => p.contactId)).size;
      const end = new Date(at.getTime() + plan.windowSeconds * 1000);
      // send() never rejects (it warns); settled() waits for the notice.
      void track(
        send({
          subject: `[rollcall] ${about} has started (run ${plan.id})`,
          text:
            `${about} started at ${when(at, plan.tz)}.\n\n` +
            `Pings: ${pings.length} (${plan.channels.join(', ')}) to ${contacts} contact points of ${o.directory.parties.length} countries.\n` +
            `Answers are watched for ${formatDuration(plan.windowSeconds)}, until ${when(end, plan.tz)}; the table follows then.\n\n` +
            `Where it stands: rollcall status ${o.runDir}\n` +
            footer,
        }),
      );
    },
    async failed(error) {
      const message = redact((error as Error)?.message ?? String(error));
      await track(
        send({
          subject: `[rollcall] ${about} stopped on an error (run ${plan.id})`,
          text:
            `${about} stopped at ${when(new Date(), plan.tz)} on this error:\n\n  ${message.replace(/\n/g, '\n  ')}\n\n` +
            `Nothing is lost: every ping and answer so far is in ${o.runDir}/events.jsonl.\n` +
            `Once the cause is fixed, continue it with: rollcall resume ${o.runDir}\n` +
            footer,
        }),
      );
    },
    async ended(result) {
      const stats = result.stats;
      const last = stats?.buckets[stats.buckets.length - 1];
      const summary = stats && last ? `${last.responded} of ${stats.population} countries answered` : 'the window closed';
      const { renderStatsText } = await import('../report/terminal.js');
      const html = result.reports.find((r) => r.endsWith('.html'));
      await track(
        send({
          subject: `[rollcall] ${about} has ended: ${summary} (run ${plan.id})`,
          text:
            `${about} has ended: the window closed at ${when(new Date(), plan.tz)}.\n\n` +
            (stats ? renderStatsText(stats, { color: false }).trimEnd() + '\n\n' : '') +
            (result.reports.length > 0 ? `Reports: ${result.reports.join(', ')}${html ? '\nThe HTML report is attached.' : ''}\n` : '') +
            (result.reportError ? `The reports could not be written: ${result.reportError}. Try: rollcall report ${o.runDir}\n` : '') +
            footer,
          ...(html ? { attachments: [{ filename: `rollcall-${plan.id}-${basename(html)}`, path: html, contentType: 'text/html' }] } : {}),
        }),
      );
    },
    async settled() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}
