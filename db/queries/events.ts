import type { Db } from '../connect';
import type { TowerEvent } from '../../domain/events/validate';
import { LOCKS } from '../locks';

/** Ingest-to-applied lag in whole milliseconds: the one definition used by the worker and the rebuild. */
export const LAG_MS_SQL = `floor(extract(epoch from (applied_at - accepted_at)) * 1000)::bigint`;

// postgres.js allows 65,534 parameters per query; 7 per row keeps each insert well under it.
const INSERT_CHUNK = 5000;

export interface InsertedEvent {
  index: number;
  seq: string;
}

/**
 * Inserts validated events; a `(source, id)` seen before (also by a racing request) is skipped.
 * Returns the inserted ones with their sequence numbers, in input order.
 */
export async function insertEvents(
  sql: Db,
  events: readonly TowerEvent[],
  apiKeyId: string | null,
): Promise<InsertedEvent[]> {
  const inserted: InsertedEvent[] = [];
  for (let start = 0; start < events.length; start += INSERT_CHUNK) {
    const chunk = events.slice(start, start + INSERT_CHUNK);
    const rows = chunk.map((e) => ({
      source: e.source,
      event_id: e.id,
      type: e.type,
      occurred_at: e.occurredAt,
      data: e.data,
      api_key_id: apiKeyId,
    }));
    const returned = await sql`
      INSERT INTO events ${sql(rows as never, 'source', 'event_id', 'type', 'occurred_at', 'data', 'api_key_id')}
      ON CONFLICT ON CONSTRAINT events_idempotency DO NOTHING
      RETURNING seq, source, event_id`;
    const bySeqKey = new Map(returned.map((r) => [`${r.source}\u0000${r.event_id}`, String(r.seq)]));
    chunk.forEach((e, i) => {
      const seq = bySeqKey.get(`${e.source}\u0000${e.id}`);
      if (seq) inserted.push({ index: start + i, seq });
    });
  }
  return inserted;
}

export interface PendingEventRow {
  seq: string;
  source: string;
  event_id: string;
  type: string;
  occurred_at: Date;
  accepted_at: Date;
  data: Record<string, unknown>;
}

/** Locks the given events that are still unapplied; rows another worker holds are skipped, not waited for. */
export async function lockUnapplied(sql: Db, seqs: readonly string[]): Promise<PendingEventRow[]> {
  return sql<PendingEventRow[]>`
    SELECT seq, source, event_id, type, occurred_at, accepted_at, data
    FROM events
    WHERE seq IN ${sql(seqs as string[])} AND applied_at IS NULL
    ORDER BY seq
    FOR UPDATE SKIP LOCKED`;
}

/** Takes the apply lock for the rest of the transaction: apply transactions run one at a time, so events apply in inbox order. */
export async function takeApplyLock(tx: Db): Promise<void> {
  await tx`SELECT pg_advisory_xact_lock(${LOCKS.apply})`;
}

/**
 * What a batch applies (under the apply lock): the oldest events from `floor` on still waiting for
 * their first application (at most `limit`), and those of `own` that are unapplied below the floor
 * or wait for a prerequisite (their own job brings them). `floor` is where the caller's last batch
 * ended: everything below it was applied, waits for a prerequisite, or came back since (an event put
 * back by a triage action, a request that committed after younger ones), and each of those has a job
 * of its own. It keeps the scan of the unapplied index from walking the entries of every event applied
 * since the last vacuum. `more` says whether an unapplied, not waiting event of `own` lies beyond the
 * batch; `top` is the newest event of the head (where the next floor is).
 */
export async function oldestUnapplied(tx: Db, own: readonly string[], limit: number, floor = '0'): Promise<{ seqs: string[]; more: boolean; top: string | null }> {
  // oldest_unapplied (migration 0011) walks the unapplied index in order whatever the statistics say.
  const head = (await tx`SELECT s AS seq FROM oldest_unapplied(${floor}, ${limit}) AS s`).map((r) => String(r.seq));
  const mine = own.length === 0 ? [] : await tx`SELECT seq, deferred_at IS NOT NULL AS deferred FROM events WHERE seq IN ${tx(own as string[])} AND applied_at IS NULL`;
  const inHead = new Set(head);
  const low = BigInt(floor);
  const brought = mine.filter((r) => r.deferred || BigInt(r.seq) < low).map((r) => String(r.seq));
  const more = mine.some((r) => !r.deferred && BigInt(r.seq) >= low && !inHead.has(String(r.seq)));
  const seqs = [...new Set([...head, ...brought])].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
  return { seqs, more, top: head.at(-1) ?? null };
}

export interface AppliedRow {
  seq: string;
  accepted_at: Date;
  applied_at: Date;
  lag_ms: string;
}

export async function markApplied(
  sql: Db,
  batchId: string,
  seqs: readonly string[],
  errors: ReadonlyMap<string, string>,
): Promise<AppliedRow[]> {
  if (errors.size > 0) {
    await sql`
      UPDATE events e SET apply_error = x.error
      FROM unnest(${sql.array([...errors.keys()])}::bigint[], ${sql.array([...errors.values()])}::text[]) AS x(seq, error)
      WHERE e.seq = x.seq`;
  }
  return sql<AppliedRow[]>`
    UPDATE events SET applied_at = clock_timestamp(), batch_id = ${batchId}
    WHERE seq IN ${sql(seqs as string[])}
    RETURNING seq, accepted_at, applied_at, ${sql.unsafe(LAG_MS_SQL)} AS lag_ms`;
}

/** Events waiting for a prerequisite: left unapplied, with when they first waited and why. */
export async function markDeferred(sql: Db, deferred: ReadonlyMap<string, string>): Promise<void> {
  await sql`
    UPDATE events e SET deferred_at = coalesce(e.deferred_at, clock_timestamp()), defer_reason = x.reason
    FROM unnest(${sql.array([...deferred.keys()])}::bigint[], ${sql.array([...deferred.values()])}::text[]) AS x(seq, reason)
    WHERE e.seq = x.seq`;
}

/** A batch row; `liveFacts` are the KPI facts its Redis step sends, kept until they are there (null: none). */
export async function createBatch(sql: Db, eventCount: number, liveFacts: readonly unknown[] = []): Promise<string> {
  const facts = liveFacts.length > 0 ? sql.json(liveFacts as never) : null;
  const [row] = await sql`INSERT INTO apply_batches (event_count, live_facts) VALUES (${eventCount}, ${facts}) RETURNING id`;
  return String(row!.id);
}

export async function markBatchAggregated(sql: Db, batchIds: readonly string[]): Promise<void> {
  if (batchIds.length === 0) return;
  await sql`UPDATE apply_batches SET aggregated = true, live_facts = NULL WHERE id IN ${sql(batchIds as string[])}`;
}

/** Batches committed in PostgreSQL whose deltas may not have reached Redis yet. */
export async function pendingBatches(sql: Db, olderThanMs: number, limit = 500): Promise<string[]> {
  const rows = await sql`
    SELECT id FROM apply_batches
    WHERE NOT aggregated AND committed_at < clock_timestamp() - make_interval(secs => ${olderThanMs / 1000})
    ORDER BY id LIMIT ${limit}`;
  return rows.map((r) => String(r.id));
}

/** Events durable but unapplied for longer than the grace period: what the sweeper hands to BullMQ again. */
export async function staleUnapplied(sql: Db, olderThanMs: number, limit: number): Promise<string[]> {
  const rows = await sql`
    SELECT seq FROM events
    WHERE applied_at IS NULL AND accepted_at < clock_timestamp() - make_interval(secs => ${olderThanMs / 1000})
    ORDER BY seq LIMIT ${limit}`;
  return rows.map((r) => String(r.seq));
}

export async function backlogCount(sql: Db): Promise<number> {
  const [row] = await sql`SELECT count(*)::int AS n FROM events WHERE applied_at IS NULL`;
  return Number(row?.n ?? 0);
}
