import type { Db } from '../../db/connect';

let n = 0;

export interface ExceptionSeed {
  type?: string;
  severity?: string;
  status?: string;
  subject?: string;
  assignee?: string | null;
  channel?: string | null;
  orderId?: string | null;
  openedAt?: Date;
  dueAt?: Date;
  resolutionCode?: string | null;
}

/** Inserts an exception row directly (no engine), for tests of the queue and its actions. */
export async function insertException(sql: Db, s: ExceptionSeed = {}): Promise<string> {
  const openedAt = s.openedAt ?? new Date();
  const [row] = await sql`
    INSERT INTO exceptions (type, severity, status, subject, assignee, channel, order_id, opened_at, last_seen_at, due_at, resolution_code, resolved_at)
    VALUES (${s.type ?? 'stockout'}, ${s.severity ?? 'high'}, ${s.status ?? 'open'}, ${s.subject ?? `seed:${process.pid}:${++n}`},
            ${s.assignee ?? null}, ${s.channel ?? null}, ${s.orderId ?? null}, ${openedAt}, ${openedAt},
            ${s.dueAt ?? new Date(openedAt.getTime() + 3_600_000)}, ${s.resolutionCode ?? (s.status === 'resolved' ? 'fixed' : null)},
            ${s.status === 'resolved' ? openedAt : null})
    RETURNING id`;
  return String(row!.id);
}
