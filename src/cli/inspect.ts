// rollcall inspect <file.eml> [--run <run>]: how a message is classified and matched, and why —
// the class, the headers and rules that decided it, the delivery-status fields, and with a run,
// the ping it answers and by which rule. What it decides is src/run/inspect.ts's; this prints it.
import { relative } from 'node:path';
import { EXIT } from '../core/errors.js';
import { printable } from '../core/printable.js';
import { inspectMessage, openInspectedRun, readMessageFile } from '../run/inspect.js';
import { formatDuration } from '../core/duration.js';
import { loadSettings } from '../settings.js';
import { println, type Output } from './output.js';
import { authenticityLines, inspectAuthenticity } from './inspect-authenticity.js';
import { palette } from '../core/palette.js';
import type { InspectOptions } from './commands.js';

const NOT_ACK: Record<string, string> = {
  automatic: 'an automatic reply',
  bounce: 'a bounce',
  delay: 'a delay notice',
  'read-receipt': 'a read receipt',
};

function ownAddress(o: Output): string | undefined {
  try {
    const from = loadSettings(o.env, o.cwd).from;
    return from ? (/<([^>]+)>/.exec(from)?.[1] ?? from).trim() : undefined;
  } catch {
    return undefined;
  }
}

export async function run(args: string[], opts: InspectOptions, o: Output): Promise<number> {
  const { file, raw } = await readMessageFile(args[0]!, o.cwd);
  const runCtx = opts.run !== undefined ? await openInspectedRun(opts.run, o.cwd) : undefined;
  const own = ownAddress(o);
  const inspection = await inspectMessage(raw, file, runCtx, own ? { ownAddress: own } : {});
  const { classification: c, arrival, sentAt, otherRun, recorded, overrides } = inspection;

  // Whether it really comes from its From domain (DKIM, SPF, DMARC), and why.
  const origin = await inspectAuthenticity(raw, opts, o);

  if (o.json) {
    const out = {
      file: relative(o.cwd, file) || file,
      class: c.class,
      kind: c.kind,
      reasons: c.reasons,
      from: c.from,
      subject: c.subject,
      messageId: c.messageId ?? null,
      date: c.date ?? null,
      arrival: arrival ? { at: arrival.at.toISOString(), source: arrival.source } : null,
      headers: c.headers,
      bounce: c.bounce ?? null,
      deliveryReport: c.report ? { source: c.report.source, reportingMta: c.report.reportingMta ?? null, recipients: c.report.recipients, returnedMessageId: c.report.original?.messageId ?? null } : null,
      readReceipt: c.receipt ? { originalMessageId: c.receipt.originalMessageId ?? null, finalRecipient: c.receipt.finalRecipient ?? null, disposition: c.receipt.disposition ?? null } : null,
      matching: c.matching,
      ping: c.ping
        ? { pingId: c.ping.pingId, contactId: c.ping.contactId, iso: c.ping.iso, address: c.ping.address, token: c.ping.token, messageId: c.ping.messageId ?? null, sentAt: sentAt?.toISOString() ?? null }
        : null,
      matchedBy: c.matchedBy ?? null,
      otherTest: c.otherTest ? { ...c.otherTest, ...(otherRun ? { runId: otherRun } : {}) } : null,
      matchDetail: c.matchDetail ?? null,
      responseSeconds: inspection.responseSeconds !== undefined ? Math.round(inspection.responseSeconds) : null,
      recordedAs: recorded ? { key: recorded.key, class: recorded.class, folder: recorded.folder ?? null, authenticity: recorded.authenticity ?? null } : null,
      overrides: overrides.map((e) => ({ at: e.at, as: e.as, note: e.note, messageKey: e.messageKey ?? null, contactId: e.contactId ?? null })),
      authenticity: origin,
    };
    println(o.out, JSON.stringify(out, null, 2));
    return EXIT.ok;
  }

  const p = palette(o.color);
  const classColor = c.class === 'reply' ? p.green : c.class === 'unrelated' ? p.gray : c.class === 'bounce' ? p.red : p.yellow;
  // Every value below may come from the message: shown with its control characters visible.
  const t = printable;
  const lines: string[] = [p.bold(t(relative(o.cwd, file) || file))];
  const row = (label: string, value: string) => lines.push(`  ${(label + ':').padEnd(12)}${value}`);
  row('Class', classColor(c.class) + (c.kind !== c.class ? p.dim(` (reads as ${c.kind})`) : ''));
  row('From', t(c.from) || '(none)');
  row('Subject', t(c.subject) || '(none)');
  if (c.messageId) row('Message-ID', t(c.messageId));
  if (arrival) row('Arrival', `${arrival.at.toISOString()} ${p.dim(`(${arrival.source})`)}`);
  lines.push('  Why:');
  // The match is shown under "Answers" below.
  for (const r of c.reasons.filter((r) => !(c.matchDetail && r.startsWith('answers ping ')))) lines.push(`    - ${t(r)}`);
  if (c.report) {
    lines.push(`  Delivery status (${c.report.source === 'rfc3464' ? 'RFC 3464 report' : 'plain-text bounce'}):`);
    if (c.report.reportingMta) lines.push(`    Reporting-MTA     ${t(c.report.reportingMta)}`);
    for (const r of c.report.recipients) {
      if (r.recipient) lines.push(`    Final-Recipient   ${t(r.recipient)}`);
      if (r.action) lines.push(`    Action            ${t(r.action)}`);
      if (r.status) lines.push(`    Status            ${t(r.status)}`);
      if (r.diagnostic) lines.push(`    Diagnostic        ${t(r.diagnostic)}`);
    }
    if (c.report.original?.messageId) lines.push(`    Returned message  ${t(c.report.original.messageId)}`);
  }
  if (c.receipt) {
    lines.push('  Read receipt (RFC 8098):');
    if (c.receipt.finalRecipient) lines.push(`    Final-Recipient      ${t(c.receipt.finalRecipient)}`);
    if (c.receipt.originalMessageId) lines.push(`    Original-Message-ID  ${t(c.receipt.originalMessageId)}`);
    if (c.receipt.disposition) lines.push(`    Disposition          ${t(c.receipt.disposition)}`);
  }
  const shown = Object.entries(c.headers).filter(([k]) => !['From', 'Subject', 'Message-ID'].includes(k));
  if (shown.length > 0) {
    lines.push('  Headers:');
    for (const [k, v] of shown) lines.push(`    ${k}: ${t(v.length > 100 ? v.slice(0, 97) + '...' : v)}`);
  }
  if (!runCtx) lines.push(`  Answers:    ${p.dim('not checked: give --run <run> to match it against the pings of a run')}`);
  else if (c.ping) {
    row('Answers', t(`ping ${c.ping.pingId} to ${c.ping.address} (${c.ping.contactId}, ${c.ping.iso})`));
    row('Matched by', t(`${c.matchedBy} — ${c.matchDetail}`));
    if (sentAt) row('Sent', sentAt.toISOString());
    if (inspection.responseSeconds !== undefined) {
      const after = formatDuration(inspection.responseSeconds);
      if (c.class === 'reply') row('Response', `${after} after the ping was sent`);
      else row('Arrived', `${after} after the ping was sent ${p.dim(`(${NOT_ACK[c.class] ?? c.class}: not an acknowledgement)`)}`);
    }
  } else if (c.otherTest) {
    row('Answers', t(`another test: ${c.otherTest.token}${otherRun ? ` (run ${otherRun})` : ''}, not a ping of run ${runCtx.label}`));
    lines.push(`  ${''.padEnd(12)}${p.dim('an answer to another test is never matched by its sender and counts for nothing in this run')}`);
  } else row('Answers', t(`no ping of run ${runCtx.label}`));
  if (recorded) row('Recorded', t(`${recorded.key} as ${recorded.class}${recorded.folder ? ` in ${recorded.folder}` : ''}`));
  for (const ov of overrides) row('Marked', t(`${ov.as} at ${ov.at}: "${ov.note}"`));
  if (inspection.unparsed) lines.push(`  ${p.dim('(a run records such a message as unrelated, with these words, and keeps its raw copy)')}`);
  lines.push(...authenticityLines(origin, p));
  // The statistics use the verdict recorded on arrival; keys and policies may have changed since.
  const then = recorded?.authenticity;
  if (then && then.verdict !== origin.verdict) {
    row('On arrival', t(`${then.verdict}, and the run's statistics use that verdict${then.reasons[0] ? `: ${then.reasons[0]}` : ''}`));
  }
  println(o.out, lines.join('\n'));
  return EXIT.ok;
}
