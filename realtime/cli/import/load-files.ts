import { readFile } from 'node:fs/promises';
import { CsvSyntaxError, parseCsv, type CsvRecord } from './csv';
import { readHeader, type Layout } from './header';
import { kinds, type ImportKind } from './kinds';

export interface LoadedFile {
  path: string;
  layout: Layout;
  /** Data records, without the header. */
  records: CsvRecord[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads, parses and identifies one file; a problem here is reported before anything is sent. */
export async function loadFile(path: string, forced?: ImportKind): Promise<LoadedFile | { problem: string }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    return { problem: `${path}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)})` };
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { problem: `${path}: is not UTF-8 text (save it as "CSV UTF-8")` };
  }
  let records: CsvRecord[];
  try {
    records = parseCsv(text);
  } catch (err) {
    if (err instanceof CsvSyntaxError) return { problem: `${path}:${err.line}: ${err.message}` };
    throw err;
  }
  const [header, ...rows] = records;
  if (!header) return { problem: `${path}: the file is empty (the first line must be the header)` };
  const h = readHeader(header.fields, forced);
  if (!h.ok) return { problem: `${path}:${header.line}: ${h.message}` };
  return { path, layout: h.layout, records: rows };
}

/** Master data before stock, whatever the order on the command line: receipts name items and locations. */
export const importOrder = (files: LoadedFile[]): LoadedFile[] =>
  [...files].sort((a, b) => kinds.indexOf(a.layout.kind) - kinds.indexOf(b.layout.kind));
