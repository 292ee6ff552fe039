import { kinds, type ImportKind, type KindColumn } from './kinds';

export interface LayoutColumn {
  column: KindColumn;
  /** Position in each record; undefined when an optional column is absent from the file. */
  index: number | undefined;
  /** The header as written in the file, for error reports. */
  header: string;
}

export interface Layout {
  kind: ImportKind;
  width: number;
  columns: LayoutColumn[];
}

export type HeaderResult = { ok: true; layout: Layout } | { ok: false; message: string };

const key = (s: string) => s.trim().toLowerCase();
const names = (kind: ImportKind) => kind.columns.map((c) => (c.optional ? `[${c.name}]` : c.name)).join(',');

/** Matches header names case-insensitively and in any order; `forced` is the `--kind` flag. */
export function readHeader(fields: string[], forced?: ImportKind): HeaderResult {
  const keys = fields.map(key);
  const repeated = keys.find((k, i) => k !== '' && keys.indexOf(k) !== i);
  if (repeated !== undefined) return { ok: false, message: `the header names column "${repeated}" twice` };
  const fits = (kind: ImportKind) => kind.columns.every((c) => c.optional || keys.includes(key(c.name)));

  let kind = forced;
  if (!kind) {
    const candidates = kinds.filter(fits);
    if (candidates.length !== 1) {
      const expected = kinds.map((k) => `${k.name}: ${names(k)}`).join('; ');
      return { ok: false, message: `cannot tell the kind from the header "${fields.join(',')}" (pass --kind, or use one of ${expected})` };
    }
    kind = candidates[0]!;
  }
  const known = new Set(kind.columns.map((c) => key(c.name)));
  const missing = kind.columns.filter((c) => !c.optional && !keys.includes(key(c.name))).map((c) => c.name);
  const unknown = fields.filter((f) => !known.has(key(f)));
  if (missing.length > 0 || unknown.length > 0) {
    const problems = [
      ...(missing.length ? [`missing ${missing.join(', ')}`] : []),
      ...(unknown.length ? [`unknown ${unknown.map((u) => JSON.stringify(u)).join(', ')}`] : []),
    ];
    return { ok: false, message: `header does not fit ${kind.name} (${names(kind)}): ${problems.join('; ')}` };
  }
  const columns = kind.columns.map((column) => {
    const i = keys.indexOf(key(column.name));
    return { column, index: i === -1 ? undefined : i, header: i === -1 ? column.name : fields[i]!.trim() };
  });
  return { ok: true, layout: { kind, width: fields.length, columns } };
}
