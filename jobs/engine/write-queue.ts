import type { Db } from '../../db/connect';

type Table = 'stock_counts' | 'return_dispositions' | 'refunds';

/**
 * Writes a batch defers to its end: rows of append-only tables (sent as one multi-row insert per
 * table) and statements that must run after the batch's orders and buckets are written, in the order
 * the events asked for them (opening and auto-resolving exceptions). A failed event's are dropped.
 */
export class WriteQueue {
  private rows: { table: Table; row: Record<string, unknown> }[] = [];
  private ops: ((sql: Db) => Promise<unknown>)[] = [];
  private marks: string[] = [];
  private rowMark = 0;
  private opMark = 0;
  private markMark = 0;

  /** Remembers a fact of this batch that later events must see before it is written (an approval, say). */
  note(key: string): void {
    this.marks.push(key);
  }

  noted(key: string): boolean {
    return this.marks.includes(key);
  }

  insert(table: Table, row: Record<string, unknown>): void {
    this.rows.push({ table, row });
  }

  /** Rows of `table` queued so far (this batch's, not yet written). */
  pending(table: Table): Record<string, unknown>[] {
    return this.rows.filter((r) => r.table === table).map((r) => r.row);
  }

  later(op: (sql: Db) => Promise<unknown>): void {
    this.ops.push(op);
  }

  begin(): void {
    this.rowMark = this.rows.length;
    this.opMark = this.ops.length;
    this.markMark = this.marks.length;
  }

  rollback(): void {
    this.rows.length = this.rowMark;
    this.ops.length = this.opMark;
    this.marks.length = this.markMark;
  }

  async flushRows(sql: Db): Promise<void> {
    const byTable = new Map<Table, Record<string, unknown>[]>();
    for (const { table, row } of this.rows) byTable.set(table, [...(byTable.get(table) ?? []), row]);
    for (const [table, rows] of byTable) {
      for (let i = 0; i < rows.length; i += 5000) await sql`INSERT INTO ${sql(table)} ${sql(rows.slice(i, i + 5000) as never)}`;
    }
    this.rows = [];
    this.rowMark = 0;
  }

  async flushOps(sql: Db): Promise<void> {
    const ops = this.ops;
    this.ops = [];
    this.opMark = 0;
    for (const op of ops) await op(sql);
  }
}
