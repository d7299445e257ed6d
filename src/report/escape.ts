// Escaping of data-derived strings for each output format: HTML/SVG text and attributes,
// Markdown table cells, and CSV cells (RFC 4180 quoting plus the OWASP CSV-injection rule).

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text or attribute value for HTML and inline SVG. */
export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]!);
}

/** Inline Markdown text: one line, Markdown and HTML syntax neutralised, `|` safe in tables. */
export function md(value: unknown): string {
  return String(value ?? '')
    .replace(/\r\n?|\n/g, ' ')
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;');
}

/**
 * One CSV cell. A cell a spreadsheet would read as a formula (starting with = + - @, tab or CR) gets
 * a leading `'` (OWASP "CSV Injection"); a cell holding a comma, quote or line break is quoted.
 */
export function csvCell(value: unknown): string {
  let s = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvRow(cells: unknown[]): string {
  return cells.map(csvCell).join(',');
}
