// Chart labels that never overlap: each label has candidate positions in order of preference and
// goes to the first one that overlaps nothing placed before it and stays inside the chart; when
// none fits it is dropped (every figure is also in the table and the chart's description).
// Text is measured with widths close to DejaVu Sans, the widest of the usual sans-serif fonts,
// so that the real text (whatever font the reader's system picks) is no wider than its box.

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Where a text goes: its anchor point on the baseline, as SVG's x, y and text-anchor. */
export interface LabelSpot {
  x: number;
  y: number;
  anchor: 'start' | 'middle' | 'end';
}

export interface PlacedLabel extends LabelSpot {
  text: string;
  box: Box;
}

const NARROW = new Set([...'iljftrI|!\'.,:;()[]{} ']);
const WIDE = new Set([...'mwMW%@—']);

/** Width of a text in SVG user units, erring on the wide side. */
export function textWidth(text: string, fontSize: number, bold = false): number {
  let em = 0;
  for (const ch of text) {
    if (/\d/.test(ch)) em += 0.64;
    else if (NARROW.has(ch)) em += 0.36;
    else if (WIDE.has(ch)) em += 0.98;
    else if (ch === '\u202f' || ch === '\u00a0') em += 0.3;
    else if (/[A-ZÀ-Þ]/.test(ch)) em += 0.74;
    else em += 0.64;
  }
  return em * fontSize * (bold ? 1.1 : 1);
}

/** The box a text occupies when drawn at `spot` (ascent above the baseline, descent below). */
export function textBox(text: string, spot: LabelSpot, fontSize: number, bold = false): Box {
  const width = textWidth(text, fontSize, bold);
  const x = spot.anchor === 'start' ? spot.x : spot.anchor === 'end' ? spot.x - width : spot.x - width / 2;
  return { x, y: spot.y - fontSize * 0.95, width, height: fontSize * 1.25 };
}

export function overlaps(a: Box, b: Box, gap = 1): boolean {
  return a.x < b.x + b.width + gap && b.x < a.x + a.width + gap && a.y < b.y + b.height + gap && b.y < a.y + a.height + gap;
}

function inside(box: Box, bounds: Box): boolean {
  return box.x >= bounds.x && box.y >= bounds.y && box.x + box.width <= bounds.x + bounds.width && box.y + box.height <= bounds.y + bounds.height;
}

/** Places labels one by one, most important first. */
export class LabelPlacer {
  private readonly taken: Box[];

  constructor(
    private readonly bounds: Box,
    obstacles: Box[] = [],
  ) {
    this.taken = [...obstacles];
  }

  /** Reserves an area (a legend, a bar) that no later label may cover. */
  block(box: Box): void {
    this.taken.push(box);
  }

  /** The first spot where the text fits, now reserved; undefined when it fits nowhere. `margin`
   * keeps that much room free on either side (axis ticks that should not crowd each other). */
  place(text: string, spots: LabelSpot[], fontSize: number, bold = false, margin = 0): PlacedLabel | undefined {
    for (const spot of spots) {
      const tight = textBox(text, spot, fontSize, bold);
      const box = { ...tight, x: tight.x - margin, width: tight.width + 2 * margin };
      if (!inside(box, this.bounds)) continue;
      if (this.taken.some((t) => overlaps(t, box))) continue;
      this.taken.push(box);
      return { ...spot, text, box: tight };
    }
    return undefined;
  }
}
