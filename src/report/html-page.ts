// The frame every HTML document of rollcall shares (report, history, letters): one
// self-contained file (no scripts, fonts or images from anywhere; a Content-Security-Policy
// forbids them), print styles for A4, and tables with captions and scoped headers for screen
// readers. Every string from data goes through esc().
import { esc } from './escape.js';

export const STYLE = `
:root{--ink:#1d2330;--muted:#5b6474;--line:#dfe3e8;--rule:#1d2330;--accent:#1f4e79;--soft:#f3f5f8;--warn:#8a5300;--bad:#9b2c2c}
*{box-sizing:border-box}
html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Liberation Sans","DejaVu Sans",sans-serif;color:var(--ink);background:#fff;font-size:15px;line-height:1.45;-webkit-text-size-adjust:100%}
body{max-width:980px;margin:0 auto;padding:36px 28px 56px}
header{border-bottom:2px solid var(--rule);padding-bottom:14px;margin-bottom:22px}
.network{margin:0;text-transform:uppercase;letter-spacing:.08em;font-size:12px;color:var(--muted);font-weight:600}
h1{font-size:28px;line-height:1.2;margin:6px 0 14px;font-weight:650;letter-spacing:-.01em}
h2{font-size:19px;margin:34px 0 10px;font-weight:650;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{font-size:15px;margin:18px 0 6px;font-weight:650}
p{margin:0 0 10px}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:3px 18px;margin:0;font-size:14px}
.facts dt{color:var(--muted)}
.facts dd{margin:0}
.key{display:grid;grid-template-columns:repeat(4,1fr);gap:14px;margin:0 0 6px}
.key div{border-top:3px solid var(--accent);padding:8px 2px 0}
.key .value{display:block;font-size:26px;font-weight:650;font-variant-numeric:tabular-nums;line-height:1.15}
.key .what{display:block;font-size:13px;color:var(--muted)}
.key .change{display:block;font-size:12.5px;color:var(--ink);margin-top:2px}
ul.lines{margin:6px 0 16px;padding-left:20px}
ul.lines li{margin:2px 0}
table{border-collapse:collapse;width:100%;font-size:13.5px;font-variant-numeric:tabular-nums;margin:6px 0 18px}
caption{text-align:left;font-weight:600;padding:0 0 6px;font-size:14px}
th,td{padding:5px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
thead th{font-weight:600;color:var(--muted);font-size:12.5px;border-bottom:1.5px solid var(--rule);vertical-align:bottom}
tbody th{font-weight:500}
.num{text-align:right}
td.change{color:var(--muted)}
tr.group th{border-bottom:none;text-align:center}
figure{margin:14px 0 22px}
figure svg{width:100%;height:auto;display:block}
figcaption{font-size:13px;color:var(--muted);margin-top:4px}
.outcomes{display:grid;grid-template-columns:repeat(4,1fr);gap:18px}
.outcomes ul{margin:0;padding-left:18px;font-size:14px}
.outcomes p{font-size:13px;margin:0 0 6px}
td.nowrap,th.nowrap{white-space:nowrap}
.late{color:var(--warn)}.silent{color:var(--bad)}.auto{color:var(--warn)}.unreachable{color:var(--bad)}
.quiet{color:var(--muted)}
.words{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,"DejaVu Sans Mono",monospace;font-size:12px;word-break:break-word}
.methods h3{margin-top:12px}
.methods p{max-width:46em}
p.note{border-left:3px solid var(--warn);background:var(--soft);padding:7px 12px;margin:6px 0 12px;font-size:14px;max-width:none}
.mark{color:var(--bad);font-weight:600}
footer{margin-top:36px;padding-top:10px;border-top:1px solid var(--line);font-size:12px;color:var(--muted)}
@media (max-width:700px){.key{grid-template-columns:repeat(2,1fr)}.outcomes{grid-template-columns:1fr}body{padding:20px 14px}}
@page{size:A4;margin:15mm 14mm 16mm}
@media print{
 html{font-size:10pt}
 body{max-width:none;padding:0}
 h1{font-size:20pt}
 h2{font-size:13pt;break-after:avoid}
 table{font-size:9pt}
 .words{font-size:7.5pt}
 figcaption{font-size:8.5pt}
 thead{display:table-header-group}
 tr,figure,.key,.outcomes,ul.lines,p.note{break-inside:avoid}
 .page-break{break-before:page}
 a{color:inherit;text-decoration:none}
}
`;

export interface Col {
  label: string;
  num?: boolean;
  /** Short values that should not wrap (channel, times). */
  nowrap?: boolean;
}

const colClass = (c: Col | undefined) => {
  const cls = [c?.num ? 'num' : '', c?.nowrap ? 'nowrap' : ''].filter(Boolean).join(' ');
  return cls ? ` class="${cls}"` : '';
};

/** A table with a caption; the cell at `rowHeader` (default the first) is the row's header.
 * Cells are HTML already escaped by the caller. */
export function htmlTable(caption: string, cols: Col[], rows: string[][], opts: { rowHeader?: number; cls?: string; head?: string } = {}): string {
  const rh = opts.rowHeader ?? 0;
  const head = opts.head ?? `<tr>${cols.map((c) => `<th scope="col"${c.num ? ' class="num"' : ''}>${esc(c.label)}</th>`).join('')}</tr>`;
  const body = rows
    .map(
      (r) =>
        `<tr>${r
          .map((cell, i) => {
            const cls = colClass(cols[i]);
            return i === rh ? `<th scope="row"${cls}>${cell}</th>` : `<td${cls}>${cell}</td>`;
          })
          .join('')}</tr>`,
    )
    .join('\n');
  return `<table${opts.cls ? ` class="${opts.cls}"` : ''}><caption>${esc(caption)}</caption><thead>${head}</thead><tbody>\n${body}\n</tbody></table>`;
}

/** The whole document around `body` (header, main and footer, already HTML). */
export function htmlDocument(opts: { lang: string; title: string; generator: string; body: string[]; extraStyle?: string }): string {
  return [
    '<!doctype html>',
    `<html lang="${esc(opts.lang)}">`,
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    `<meta name="generator" content="${esc(opts.generator)}">`,
    `<title>${esc(opts.title)}</title>`,
    `<style>${STYLE}${opts.extraStyle ?? ''}</style>`,
    '</head>',
    '<body>',
    ...opts.body,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
