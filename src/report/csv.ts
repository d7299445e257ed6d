// The CSV export: one row per contact point known to the statistics — the one whose answer
// counted for its country, plus every contact point named in a directory finding — and one row
// per country when there is no contact detail (a reply log without contact ids, or an anonymized
// report, where contact points are hidden). Headers and words in the report's language; timestamps
// UTC with `Z`; the local time at the contact point ISO 8601 with its offset (a period of day when
// anonymized); numbers plain (`.` decimals, whatever --locale says) so that spreadsheets and
// scripts read them alike. Cells that a spreadsheet would run as a formula are escaped (see
// csvCell). UTF-8 with a BOM, so that Excel shows accented names right.
import { groupBy } from '../core/group.js';
import type { Finding } from '../stats/types.js';
import { detailText } from './detail.js';
import { csvRow } from './escape.js';
import { isoUtc, type Formatter } from './format.js';
import type { TextKey } from './i18n.js';
import { channelLabel, type CountryRow, type ReportModel } from './model.js';

/** The columns, as catalogue keys under `csv.` (English names: `country`, `iso`, ...). */
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
  'entered_by_hand',
  'findings',
] as const;

const COLUMN_KEY: Record<(typeof CSV_COLUMNS)[number], TextKey> = {
  country: 'csv.country',
  iso: 'csv.iso',
  status: 'csv.status',
  outcome: 'csv.outcome',
  response_seconds: 'csv.responseSeconds',
  response_time: 'csv.responseTime',
  within: 'csv.within',
  contact_id: 'csv.contactId',
  counted: 'csv.counted',
  channel: 'csv.channel',
  sent_at: 'csv.sentAt',
  answered_at: 'csv.answeredAt',
  timezone: 'csv.timezone',
  local_time_at_contact: 'csv.localTime',
  entered_by_hand: 'csv.enteredByHand',
  findings: 'csv.findings',
};

export function csvHeader(fmt: Formatter): string[] {
  return CSV_COLUMNS.map((c) => fmt.t(COLUMN_KEY[c]));
}

export function findingText(fmt: Formatter, f: Finding, anonymized: boolean): string {
  const vars = { channel: channelLabel(fmt, f.channel), address: anonymized ? fmt.t('findings.hidden') : f.address, status: fmt.t(`finding.${f.status}`), words: detailText(fmt, f.detail) };
  return fmt.t(f.detail ? 'csv.findingWords' : 'csv.finding', vars);
}

export function renderCsv(model: ReportModel): string {
  const { fmt } = model;
  const anon = model.anonymized;
  const s = model.current.stats;
  const lines: string[] = [csvRow(csvHeader(fmt))];
  const allFindings = [...s.findings, ...(s.observers?.findings ?? [])];
  const used = new Set<Finding>();
  const yes = fmt.t('csv.yes');
  const no = fmt.t('csv.no');

  const countryCells = (r: CountryRow) => [
    r.country,
    r.iso ?? '',
    r.status ? fmt.t(`status.${r.status}`) : '',
    fmt.t(`csv.${r.outcome}`),
    r.responseSeconds ?? '',
    r.response,
    r.within,
  ];
  // Each country's findings, and within it each contact point's, sorted out once (a filter per
  // contact point grew with the square of a large country's findings).
  const byCountry = groupBy(allFindings, (f) => f.country);
  const emit = (r: CountryRow) => {
    const mine = byCountry.get(r.country) ?? [];
    // Row 0 is the counted contact point (or none); then each contact point named by a finding.
    const rowOf = new Map<string | undefined, number>([[r.contactId, 0]]);
    const rows: Finding[][] = [[]];
    for (const f of mine) {
      // Findings without a contact id, and every finding when contact points are hidden, go on the first row.
      if (anon || !f.contactId) {
        rows[0]!.push(f);
        continue;
      }
      let i = rowOf.get(f.contactId);
      if (i === undefined) {
        rowOf.set(f.contactId, (i = rows.length));
        rows.push([]);
      }
      rows[i]!.push(f);
    }
    const contacts = [...rowOf.keys()];
    contacts.forEach((id, i) => {
      const counted = i === 0 && r.contactId !== undefined && (r.outcome === 'answered' || r.outcome === 'late');
      const fs = rows[i]!;
      fs.forEach((f) => used.add(f));
      const first = i === 0;
      lines.push(
        csvRow([
          ...countryCells(r),
          anon ? '' : (id ?? ''),
          counted ? yes : id ? no : '',
          first ? channelLabel(fmt, r.channel) : '',
          first ? isoUtc(r.sentAt) : '',
          first ? isoUtc(r.answeredAt) : '',
          first && !anon ? (r.timezone ?? '') : '',
          first ? (anon ? r.localTime : (r.localIso ?? '')) : '',
          first && r.handEntered ? yes : '',
          fs.map((f) => findingText(fmt, f, anon)).join(' | '),
        ]),
      );
    });
  };
  for (const r of [...model.current.rows, ...model.current.observerRows]) emit(r);
  // Findings of countries outside the population (should not happen; never drop one silently).
  for (const f of allFindings) {
    if (used.has(f)) continue;
    lines.push(csvRow([f.country, anon ? '' : (f.iso ?? ''), '', '', '', '', '', anon ? '' : (f.contactId ?? ''), '', '', '', '', '', '', '', findingText(fmt, f, anon)]));
  }
  return '\uFEFF' + lines.join('\r\n') + '\r\n';
}
