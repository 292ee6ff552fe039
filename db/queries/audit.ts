import type { Db } from '../connect';

export interface AuditEntry {
  actorKind: 'user' | 'api_key' | 'system' | 'display';
  actorId: string | null;
  actorLabel: string | null;
  action: string;
  targetKind?: string;
  targetId?: string;
  details?: Record<string, unknown>;
  ip?: string | null;
}

export async function writeAudit(sql: Db, e: AuditEntry): Promise<void> {
  await sql`
    INSERT INTO audit_log (actor_kind, actor_id, actor_label, action, target_kind, target_id, details, ip)
    VALUES (${e.actorKind}, ${e.actorId}, ${e.actorLabel}, ${e.action}, ${e.targetKind ?? null},
            ${e.targetId ?? null}, ${sql.json((e.details ?? {}) as never)}, ${e.ip ?? null})`;
}
