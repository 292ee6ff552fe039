import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvCell, CsvSyntaxError, parseCsv } from '../../realtime/cli/import/csv';

const fields = (text: string) => parseCsv(text).map((r) => r.fields);
const lines = (text: string) => parseCsv(text).map((r) => r.line);

describe('parseCsv', () => {
  it('splits records and fields, keeping empty fields', () => {
    expect(fields('a,b,c\n1,,3\n,,\n')).toEqual([['a', 'b', 'c'], ['1', '', '3'], ['', '', '']]);
  });

  it('reads quoted fields with commas, doubled quotes and newlines', () => {
    const text = 'sku,name\nA,"Tee, black"\nB,"The ""best"" mug"\nC,"two\nlines"\nD,"crlf\r\ninside"\nE,x\n';
    expect(fields(text)).toEqual([
      ['sku', 'name'],
      ['A', 'Tee, black'],
      ['B', 'The "best" mug'],
      ['C', 'two\nlines'],
      ['D', 'crlf\r\ninside'],
      ['E', 'x'],
    ]);
    // A record starts on the line after the previous record's last line.
    expect(lines(text)).toEqual([1, 2, 3, 4, 6, 8]);
  });

  it('accepts CRLF, LF and lone CR line ends, a BOM, and no final newline', () => {
    expect(fields('\ufeffa,b\r\n1,2\r\n')).toEqual([['a', 'b'], ['1', '2']]);
    expect(fields('a,b\r1,2')).toEqual([['a', 'b'], ['1', '2']]);
    expect(fields('a,b\n1,2')).toEqual([['a', 'b'], ['1', '2']]);
  });

  it('skips blank lines, including trailing ones, but keeps their line numbers counted', () => {
    const text = 'a,b\n\n1,2\r\n\r\n3,4\n\n';
    expect(fields(text)).toEqual([['a', 'b'], ['1', '2'], ['3', '4']]);
    expect(lines(text)).toEqual([1, 3, 5]);
  });

  it('keeps a record that is one quoted empty field', () => {
    expect(fields('a\n""\n')).toEqual([['a'], ['']]);
  });

  it('keeps a quote inside an unquoted field as text', () => {
    expect(fields('name\n5" screen\n')).toEqual([['name'], ['5" screen']]);
  });

  it('reports a quote that is never closed on the line it opens', () => {
    const err = (() => {
      try {
        parseCsv('a,b\n1,2\n3,"open\nmore\n');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(CsvSyntaxError);
    expect(err).toMatchObject({ line: 3, message: 'a quoted field is never closed' });
  });

  it('reports text after a closing quote', () => {
    expect(() => parseCsv('a\n"x"y\n')).toThrow(expect.objectContaining({ line: 2, message: expect.stringContaining('after the closing quote') }));
  });

  it('returns nothing for an empty file', () => {
    expect(parseCsv('')).toEqual([]);
    expect(parseCsv('\ufeff\r\n')).toEqual([]);
  });

  it('reads back whatever csvCell wrote', () => {
    const cell = fc.string({ unit: fc.constantFrom('a', 'Z', '1', ',', '"', '\n', '\r', ' ', 'é', '😀') });
    const records = fc.array(fc.array(cell, { minLength: 2, maxLength: 5 }), { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(records, fc.constantFrom('\n', '\r\n'), fc.boolean(), (rows, eol, trailing) => {
        const text = rows.map((r) => r.map(csvCell).join(',')).join(eol) + (trailing ? eol : '');
        expect(fields(text)).toEqual(rows);
      }),
    );
  });
});
