export interface CsvRecord {
  /** The 1-based file line the record starts on (a quoted field may span several lines). */
  line: number;
  fields: string[];
}

export class CsvSyntaxError extends Error {
  constructor(readonly line: number, message: string) {
    super(message);
    this.name = 'CsvSyntaxError';
  }
}

const NEWLINES = /\r\n|\r|\n/g;
const countNewlines = (s: string) => s.match(NEWLINES)?.length ?? 0;

/**
 * RFC 4180: fields separated by commas, records by CRLF, LF or CR; a quoted field may hold commas,
 * newlines and doubled quotes. A leading BOM and blank lines (the trailing newline too) are ignored.
 * A quote inside an unquoted field is kept as text, the way spreadsheets read `5" screen`.
 */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let recordLine = 1;
  let fields: string[] = [];
  let quotedInRecord = false;
  for (;;) {
    let value = '';
    if (text[i] === '"') {
      const openedAt = line;
      quotedInRecord = true;
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q === -1) throw new CsvSyntaxError(openedAt, 'a quoted field is never closed');
        const chunk = text.slice(i, q);
        value += chunk;
        line += countNewlines(chunk);
        if (text[q + 1] !== '"') {
          i = q + 1;
          break;
        }
        value += '"';
        i = q + 2;
      }
      const next = text[i];
      if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
        throw new CsvSyntaxError(line, 'text after the closing quote of a field (write a quote inside a quoted field as "")');
      }
    } else {
      let j = i;
      while (j < text.length && text[j] !== ',' && text[j] !== '\n' && text[j] !== '\r') j++;
      value = text.slice(i, j);
      i = j;
    }
    fields.push(value);
    const sep = text[i];
    if (sep === ',') {
      i++;
      continue;
    }
    if (fields.length > 1 || fields[0] !== '' || quotedInRecord) records.push({ line: recordLine, fields });
    if (sep === undefined) return records;
    i += sep === '\r' && text[i + 1] === '\n' ? 2 : 1;
    line++;
    recordLine = line;
    fields = [];
    quotedInRecord = false;
  }
}

/** Quotes a value for a CSV cell when it needs it. */
export function csvCell(value: string): string {
  return /[",\r\n]/.test(value) || /^\s|\s$/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
