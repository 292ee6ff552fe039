import type { Db } from '../connect';

/**
 * Counts one ingest request's events per source in the minute of `at`: a single upsert, however
 * many events and sources. Sources are written in name order so that concurrent requests lock
 * their rows in one order and cannot deadlock.
 */
export async function recordSourceActivity(sql: Db, at: Date, sources: readonly string[]): Promise<void> {
  if (sources.length === 0) return;
  const counts = new Map<string, number>();
  for (const s of sources) counts.set(s, (counts.get(s) ?? 0) + 1);
  const names = [...counts.keys()].sort();
  await sql`
    INSERT INTO source_activity (source, minute, events, last_at)
    SELECT s.source, date_trunc('minute', ${at}::timestamptz), s.events, ${at}
    FROM unnest(${sql.array(names)}::text[], ${sql.array(names.map((n) => counts.get(n)!))}::int[]) AS s(source, events)
    ORDER BY s.source
    ON CONFLICT (source, minute) DO UPDATE SET
      events = source_activity.events + EXCLUDED.events,
      last_at = greatest(source_activity.last_at, EXCLUDED.last_at)`;
}

export interface SourceActivity {
  source: string;
  /** The latest arrival seen from the source up to `now`. */
  lastSeenAt: Date;
  /** The minutes (since the epoch) it was active in, within the window. */
  activeMinutes: number[];
}

/** Every source ever seen (up to `now`), with its active minutes in the `windowMinutes` before `now`. */
export async function sourceActivity(sql: Db, now: Date, windowMinutes: number): Promise<SourceActivity[]> {
  const rows = await sql<{ source: string; last_seen_at: Date; active: number[] }[]>`
    SELECT source, max(last_at) AS last_seen_at,
           coalesce(array_agg((extract(epoch FROM minute) / 60)::integer ORDER BY minute)
                      FILTER (WHERE minute > ${now}::timestamptz - make_interval(mins => ${windowMinutes})), '{}') AS active
    FROM source_activity
    WHERE minute <= ${now}
    GROUP BY source
    ORDER BY source`;
  return rows.map((r) => ({ source: r.source, lastSeenAt: r.last_seen_at, activeMinutes: r.active }));
}

/** Deletes activity from before `before`, keeping each source's newest minute (its last-seen time). */
export async function pruneSourceActivity(sql: Db, before: Date): Promise<number> {
  const result = await sql`
    DELETE FROM source_activity a
    WHERE a.minute < ${before}
      AND EXISTS (SELECT 1 FROM source_activity b WHERE b.source = a.source AND b.minute > a.minute)`;
  return result.count;
}
