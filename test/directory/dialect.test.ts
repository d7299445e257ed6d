// Finding how a CSV file was saved: its encoding and the character between its cells.
import { describe, expect, it } from 'vitest';
import { describeDialect, detectDelimiter, detectEncoding, textDecoder } from '../../src/directory/csv-dialect.js';

const bytes = (...b: number[]) => Uint8Array.from(b);
const COLUMNS = ['country', 'sent_at', 'replied_at', 'contact'];

describe('detectEncoding', () => {
  it('trusts a byte-order mark', () => {
    expect(detectEncoding(bytes(0xef, 0xbb, 0xbf, 0x61))).toBe('utf-8-bom');
    expect(detectEncoding(bytes(0xff, 0xfe, 0x61, 0))).toBe('utf-16le');
    expect(detectEncoding(bytes(0xfe, 0xff, 0, 0x61))).toBe('utf-16be');
  });

  it('takes text that decodes as UTF-8 for UTF-8, anything else for Windows-1252', () => {
    expect(detectEncoding(Buffer.from('Côte d’Ivoire'))).toBe('utf-8');
    expect(detectEncoding(Buffer.from('plain ascii'))).toBe('utf-8');
    expect(detectEncoding(bytes(0x43, 0xf4, 0x74, 0x65))).toBe('windows-1252'); // "Côte" in 1252
  });

  it('does not hold a character cut at the end of a sample against UTF-8', () => {
    const cut = Buffer.from('Türkiye').subarray(0, 2); // "T" and half of "ü"
    expect(detectEncoding(cut, false)).toBe('utf-8');
    expect(detectEncoding(cut, true)).toBe('windows-1252');
  });
});

/** A whole file decoded, its encoding detected (what the CSV readers do, a piece at a time). */
function decodeText(bytes: Uint8Array) {
  const encoding = detectEncoding(bytes);
  return { text: textDecoder(encoding).decode(bytes), encoding };
}

describe('detectEncoding and textDecoder', () => {
  it('decode each encoding and drop the byte-order mark', () => {
    expect(decodeText(Buffer.from('\uFEFFTürkiye;x')).text).toBe('Türkiye;x');
    // 0x92 is ’ and 0x80 € in Windows-1252, not the C1 controls of Latin-1.
    expect(decodeText(bytes(0x43, 0xf4, 0x74, 0x65, 0x20, 0x64, 0x92, 0x80))).toEqual({ text: 'Côte d’€', encoding: 'windows-1252' });
    expect(decodeText(Buffer.from('\uFEFFCôte', 'utf16le'))).toEqual({ text: 'Côte', encoding: 'utf-16le' });
  });
});

describe('textDecoder', () => {
  it('decodes UTF-8 chunk by chunk, a character cut between chunks too, and a real U+FFFD', () => {
    const d = textDecoder('utf-8');
    const bytes = Buffer.from('\uFEFFTürkiye \uFFFD ok');
    expect(d.decode(bytes.subarray(0, 5), { stream: true }) + d.decode(bytes.subarray(5), { stream: true }) + d.decode(new Uint8Array(0))).toBe('Türkiye \uFFFD ok');
  });

  it('throws on a byte that is not UTF-8', () => {
    expect(() => textDecoder('utf-8').decode(bytes(0x61, 0xf4, 0x62), { stream: true })).toThrow(TypeError);
  });
});

describe('detectDelimiter', () => {
  it('picks the delimiter that splits the header into known columns', () => {
    expect(detectDelimiter('country,sent_at,replied_at', COLUMNS)).toBe(',');
    expect(detectDelimiter('country;sent_at;replied_at', COLUMNS)).toBe(';');
    expect(detectDelimiter('country\tsent_at\treplied_at', COLUMNS)).toBe('\t');
    // A comma inside a quoted header cell does not count.
    expect(detectDelimiter('"country, as written";country;sent_at', COLUMNS)).toBe(';');
    // Known names win over the number of separators.
    expect(detectDelimiter('country;sent_at;replied_at;note, with, commas, here', COLUMNS)).toBe(';');
  });

  it('falls back on the most frequent delimiter, then on a comma', () => {
    expect(detectDelimiter('pays;envoi;réponse', COLUMNS)).toBe(';');
    expect(detectDelimiter('just one column', COLUMNS)).toBe(',');
  });

  it('describes what was detected in words', () => {
    expect(describeDialect({ encoding: 'windows-1252', delimiter: ';' })).toBe("read as Windows-1252, cells separated by ';'");
    expect(describeDialect({ encoding: 'utf-8-bom', delimiter: '\t' })).toBe('read as UTF-8 with BOM, cells separated by tab');
  });
});
