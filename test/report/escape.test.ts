import { describe, expect, it } from 'vitest';
import { csvCell, csvRow, esc, md } from '../../src/report/escape.js';

describe('escaping', () => {
  it('escapes HTML text and attributes', () => {
    expect(esc(`<script>alert("x")</script> & 'y'`)).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;');
    expect(esc(undefined)).toBe('');
  });
  it('neutralises Markdown and HTML in Markdown cells', () => {
    expect(md('a | b')).toBe('a \\| b');
    expect(md('**bold** _x_ [link](http://x.example) `code`')).toBe('\\*\\*bold\\*\\* \\_x\\_ \\[link\\](http://x.example) \\`code\\`');
    expect(md('<img src=x onerror=alert(1)>')).toBe('&lt;img src=x onerror=alert(1)>');
    expect(md('line\nbreak\r\nhere')).toBe('line break here');
    expect(md('Côte d’Ivoire & Bosnia-Herzegovina')).toBe('Côte d’Ivoire &amp; Bosnia-Herzegovina');
  });
  it('escapes cells a spreadsheet would read as a formula (OWASP)', () => {
    expect(csvCell('=HYPERLINK("http://evil.example","x")')).toBe(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
    expect(csvCell('+1 555 0100')).toBe("'+1 555 0100");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1:A2)')).toBe("'@SUM(A1:A2)");
    expect(csvCell('\tcmd')).toBe("'\tcmd");
    expect(csvCell('\r=1')).toBe(`"'\r=1"`);
    expect(csvCell('a=b')).toBe('a=b');
    expect(csvCell(42)).toBe('42');
    expect(csvCell(null)).toBe('');
  });
  it('quotes commas, quotes and line breaks (RFC 4180)', () => {
    expect(csvCell('Korea, Republic of')).toBe('"Korea, Republic of"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvRow(['a', 'b,c', '=d'])).toBe(`a,"b,c",'=d`);
  });
});
