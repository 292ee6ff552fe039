import { createHash } from 'node:crypto';
import { validateEvent, type FieldError, type TowerEvent } from '../../../domain/events/validate';
import type { CsvRecord } from './csv';
import type { Layout } from './header';

export interface RowProblem {
  /** A CSV header, `(row)` for the record as a whole, or the flag that set an envelope field. */
  column: string;
  message: string;
}

export interface EventContext {
  source: string;
  occurredAt: string;
  now: Date;
  maxFutureSkewMs: number;
}

export type RowResult = { ok: true; event: TowerEvent } | { ok: false; problems: RowProblem[] };

export const WHOLE_ROW = '(row)';
const ENVELOPE_FLAGS: Record<string, string> = { occurredAt: '--occurred-at', source: '--source', id: '(event id)', '(root)': WHOLE_ROW };

/** Maps a contract path (`data.unitCost`, `occurredAt`) back to what the CSV author can fix. */
export function columnFor(layout: Layout, path: string): string {
  const [top, field] = path.split('.');
  if (top !== 'data') return ENVELOPE_FLAGS[path] ?? path;
  return layout.columns.find((c) => c.column.name === field)?.header ?? field ?? WHOLE_ROW;
}

export const toProblems = (layout: Layout, errors: FieldError[]): RowProblem[] =>
  errors.map((e) => ({ column: columnFor(layout, e.path), message: e.message }));

/**
 * Equal rows get equal ids, so importing a file again only yields duplicates. The hash is over the
 * converted values (defaults filled in), so `5` and `5.0` or an empty and a `0` safety stock are the same row.
 */
export function eventId(layout: Layout, line: number, data: Record<string, unknown>): string {
  const values = layout.kind.columns.map((c) => data[c.name] ?? null);
  const hash = createHash('sha256').update(JSON.stringify(values)).digest('hex');
  return layout.kind.countsEachRow ? `import:${layout.kind.name}:${line}:${hash}` : `import:${layout.kind.name}:${hash}`;
}

export function rowToEvent(layout: Layout, record: CsvRecord, ctx: EventContext): RowResult {
  if (record.fields.length > layout.width) {
    const message = `has ${record.fields.length} fields, the header has ${layout.width} (a comma in an unquoted value?)`;
    return { ok: false, problems: [{ column: WHOLE_ROW, message }] };
  }
  const data: Record<string, unknown> = {};
  const problems: RowProblem[] = [];
  for (const { column, index, header } of layout.columns) {
    // A short row leaves its last cells empty: hand-written files often drop a trailing optional column.
    const cell = index === undefined ? '' : (record.fields[index] ?? '').trim();
    if (cell === '') {
      if (!column.optional) problems.push({ column: header, message: 'is empty' });
      continue;
    }
    const converted = column.convert(cell);
    if ('error' in converted) problems.push({ column: header, message: converted.error });
    else data[column.name] = converted.value;
  }
  const v = validateEvent({ id: 'pending', type: layout.kind.type, source: ctx.source, occurredAt: ctx.occurredAt, data }, ctx.now, ctx.maxFutureSkewMs);
  if (!v.ok) {
    // A cell that could not be converted is absent from `data`; its "required" error adds nothing.
    const already = new Set(problems.map((p) => p.column));
    problems.push(...toProblems(layout, v.errors).filter((p) => !already.has(p.column)));
  }
  if (!v.ok || problems.length > 0) return { ok: false, problems };
  return { ok: true, event: { ...v.event, id: eventId(layout, record.line, v.event.data) } };
}
