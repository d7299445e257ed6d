// The CSV export: one row per contact point known to the statistics — the one whose answer
// counted for its country, plus every contact point named in a directory finding — and one row
// per country when there is no contact detail (a reply log without contact ids, or an anonymized
// report, where contact points are hidden). Timestamps are UTC with `Z`; the local time at the
// contact point is ISO 8601 with its offset (a period of day when anonymized); numbers are plain
// (`.` decimals, whatever --locale says) so that spreadsheets and scripts read them alike. Cells
// that a spreadsheet would run as a formula are escaped (see csvCell). UTF-8 with a BOM, so that
// Excel shows accented names right.
import type { Finding } from '../stats/types.js';
import { csvRow } from './escape.js';
import { isoUtc } from './format.js';
import { FINDING_LABEL, type CountryRow, type ReportModel } from './model.js';

export const CSV_COLUMNS = [
  'country',
  'iso',
  'status',
  'outcome',
  'response_seconds',
  'response_time',
  'within',
  'contact_id',
  'counted',
  'channel',
  'sent_at',
  'answered_at',
  'timezone',
  'local_time_at_contact',
  'findings',
] as const;

function findingText(f: Finding, anonymized: boolean): string {
  return `${f.channel} ${anonymized ? 'hidden' : f.address}: ${FINDING_LABEL[f.status] ?? f.status}${f.detail ? ` (${f.detail})` : ''}`;
}

export function renderCsv(model: ReportModel): string {
  const anon = model.anonymized;
  const s = model.current.stats;
  const lines: string[] = [csvRow([...CSV_COLUMNS])];
  const allFindings = [...s.findings, ...(s.observers?.findings ?? [])];
  const used = new Set<Finding>();

  const countryCells = (r: CountryRow) => [r.country, r.iso ?? '', r.status ?? '', r.outcome, r.responseSeconds ?? '', r.response, r.within];
  const emit = (r: CountryRow) => {
    const mine = allFindings.filter((f) => f.country === r.country);
    const contacts: Array<string | undefined> = [r.contactId];
    if (!anon) for (const f of mine) if (f.contactId && !contacts.includes(f.contactId)) contacts.push(f.contactId);
    contacts.forEach((id, i) => {
      const counted = i === 0 && r.contactId !== undefined && (r.outcome === 'answered' || r.outcome === 'late');
      // Findings without a contact id, and every finding when contact points are hidden, go on the first row.
      const fs = mine.filter((f) => (anon || !f.contactId ? i === 0 : f.contactId === id));
      fs.forEach((f) => used.add(f));
      const first = i === 0;
      lines.push(
        csvRow([
          ...countryCells(r),
          anon ? '' : (id ?? ''),
          counted ? 'yes' : id ? 'no' : '',
          first ? (r.channel ?? '') : '',
          first ? isoUtc(r.sentAt) : '',
          first ? isoUtc(r.answeredAt) : '',
          first && !anon ? (r.timezone ?? '') : '',
          first ? (anon ? r.localTime : (r.localIso ?? '')) : '',
          fs.map((f) => findingText(f, anon)).join(' | '),
        ]),
      );
    });
  };
  for (const r of [...model.current.rows, ...model.current.observerRows]) emit(r);
  // Findings of countries outside the population (should not happen; never drop one silently).
  for (const f of allFindings) {
    if (used.has(f)) continue;
    lines.push(csvRow([f.country, anon ? '' : (f.iso ?? ''), '', '', '', '', '', anon ? '' : (f.contactId ?? ''), '', '', '', '', '', '', findingText(f, anon)]));
  }
  return '\uFEFF' + lines.join('\r\n') + '\r\n';
}
