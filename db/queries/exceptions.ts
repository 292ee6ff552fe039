import type { Db } from '../connect';
import { dueAt, exceptionTypes, type ExceptionType } from '../../domain/exceptions/types';

export interface NewException {
  type: ExceptionType;
  /** What it is about, e.g. `order:W-1`, `sku:TEE@DC-EAST`, `channel:web:TEE`, `event:shop/evt-1`: one open exception per type and subject. */
  subject: string;
  at: Date;
  orderId?: string;
  sku?: string;
  locationId?: string;
  channel?: string;
  eventSeq?: string;
  details?: Record<string, unknown>;
  /** Overrides the type's SLA (sla_at_risk is due at the order's promise). */
  dueAt?: Date;
}

/** Opens an exception, or, while one is open for the same type and subject, counts another occurrence. */
export async function openException(sql: Db, e: NewException): Promise<void> {
  const due = e.dueAt ?? dueAt(e.type, e.at);
  await sql`
    INSERT INTO exceptions (type, severity, subject, order_id, sku, location_id, channel, event_seq, details, opened_at, last_seen_at, due_at)
    VALUES (${e.type}, ${exceptionTypes[e.type].severity}, ${e.subject}, ${e.orderId ?? null}, ${e.sku ?? null},
            ${e.locationId ?? null}, ${e.channel ?? null}, ${e.eventSeq ?? null}, ${sql.json((e.details ?? {}) as never)},
            ${e.at}, ${e.at}, ${due})
    ON CONFLICT (type, subject) WHERE status <> 'resolved' DO UPDATE SET
      occurrences = exceptions.occurrences + 1,
      last_seen_at = greatest(exceptions.last_seen_at, EXCLUDED.last_seen_at),
      -- The newest details win, but the events named by every occurrence are kept (the first offender too).
      details = CASE WHEN jsonb_typeof(exceptions.details->'events') = 'array' AND jsonb_typeof(EXCLUDED.details->'events') = 'array'
        THEN exceptions.details || EXCLUDED.details || jsonb_build_object('events', (exceptions.details->'events') || (EXCLUDED.details->'events'))
        ELSE exceptions.details || EXCLUDED.details END,
      updated_at = now()`;
}
