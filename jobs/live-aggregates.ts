import type { Redis } from 'ioredis';
import type { Sql } from '../db/connect';
import { backlogCount, markBatchAggregated, pendingBatches } from '../db/queries/events';
import { kpiDimensionKeys, liveNowFigures } from '../db/queries/kpis-now';
import { batchFacts, rebuildFacts } from '../db/queries/live';
import {
  buildOverview,
  liveKeys,
  liveWrites,
  MINUTE_RETENTION_S,
  ORDER_MINUTE_RETENTION_S,
  overviewKeys,
  type LiveFact,
  type LiveWrite,
} from '../domain/live/aggregates';
import type { LiveKpis } from '../domain/kpis/types';
import { buildLiveKpis, liveKpiKeys } from '../domain/live/kpis';
import type { OverviewSnapshot } from '../domain/live/overview';

/**
 * Applies one batch's increments exactly once: a per-batch marker makes a retry a no-op, and nothing
 * is written while the aggregates are not built (after a flush), because the rebuild will count the
 * batch from PostgreSQL. A field that a correction brings back to 0 is removed, as the rebuild would
 * never write it. Returns 1 applied, 0 already applied, -1 not built.
 */
const APPLY_BATCH_LUA = `
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if not redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[1]) then return 0 end
local n = tonumber(ARGV[2])
for i = 0, n - 1 do
  local key = KEYS[3 + i]
  local field = ARGV[3 + i * 3]
  if redis.call('HINCRBY', key, field, ARGV[4 + i * 3]) == 0 then redis.call('HDEL', key, field) end
  redis.call('EXPIREAT', key, ARGV[5 + i * 3])
end
return 1`;

/** A batch marker outlives every key its batch can touch. */
const MARKER_TTL_S = ORDER_MINUTE_RETENTION_S;

export type BatchOutcome = 'applied' | 'duplicate' | 'not-built';

export interface LiveKpiSettings {
  /** The business day ("today") and the day buckets: every process of a tower must agree on it. */
  timeZone: string;
  /** An unshipped order whose promise is this close, or past, is at risk. */
  riskHorizonMinutes: number;
}

export class LiveAggregates {
  readonly keys: ReturnType<typeof liveKeys>;

  constructor(
    private readonly redis: Redis,
    private readonly sql: Sql,
    private readonly prefix: string,
    private readonly clock: () => number = Date.now,
    private readonly settings: LiveKpiSettings = { timeZone: 'UTC', riskHorizonMinutes: 120 },
  ) {
    this.keys = liveKeys(prefix);
  }

  async applyBatch(batchId: string, facts: LiveFact[]): Promise<BatchOutcome> {
    const writes = liveWrites(this.prefix, facts, this.clock(), { timeZone: this.settings.timeZone });
    const args: (string | number)[] = [MARKER_TTL_S, writes.length];
    for (const w of writes) args.push(w.field, w.by, w.expireAt);
    const result = await this.redis.eval(
      APPLY_BATCH_LUA,
      2 + writes.length,
      this.keys.ready,
      this.keys.done(batchId),
      ...writes.map((w) => w.key),
      ...args,
    );
    return result === 1 ? 'applied' : result === 0 ? 'duplicate' : 'not-built';
  }

  /** Applies the deltas of batches whose Redis step never completed (a worker died, Redis was away). */
  async finishPendingBatches(olderThanMs: number): Promise<number> {
    let finished = 0;
    for (const batchId of await pendingBatches(this.sql, olderThanMs)) {
      const outcome = await this.applyBatch(batchId, await batchFacts(this.sql, batchId));
      if (outcome === 'not-built') break;
      await markBatchAggregated(this.sql, [batchId]);
      finished++;
    }
    return finished;
  }

  async isBuilt(): Promise<boolean> {
    return (await this.redis.exists(this.keys.ready)) === 1;
  }

  /**
   * Recomputes every live aggregate from PostgreSQL and swaps it in atomically. Batches that were
   * committed but not yet counted in Redis are marked done, since the snapshot already includes them.
   * Returns null when another process holds the rebuild lock.
   */
  async rebuild(): Promise<{ facts: number; pendingMarked: number } | null> {
    const lockToken = `${process.pid}:${Math.random()}`;
    const locked = await this.redis.set(this.keys.rebuildLock, lockToken, 'PX', 120_000, 'NX');
    if (!locked) return null;
    try {
      // Workers stop writing (their batches stay pending) so that nothing lands between snapshot and swap.
      await this.redis.del(this.keys.ready);
      const now = this.clock();
      const { facts, pending } = await this.sql.begin('isolation level repeatable read read only', async (tx) => {
        const pendingRows = await tx`SELECT id FROM apply_batches WHERE NOT aggregated`;
        const facts = await rebuildFacts(tx, {
          acceptedSinceMs: now - MINUTE_RETENTION_S * 1000 - 60_000,
          appliedSinceMs: now - MINUTE_RETENTION_S * 1000 - 60_000,
          ordersSinceMs: now - ORDER_MINUTE_RETENTION_S * 1000 - 60_000,
        });
        return { facts, pending: pendingRows.map((r) => String(r.id)) };
      });
      const writes = liveWrites(this.prefix, facts, now, { timeZone: this.settings.timeZone });
      // Old batch markers go too: after a database restore, batch ids are handed out again.
      const old = [...(await this.scanKeys(this.keys.pattern)), ...(await this.scanKeys(this.keys.done('*')))];
      const multi = this.redis.multi();
      for (let i = 0; i < old.length; i += 500) multi.del(...old.slice(i, i + 500));
      for (const [key, fields] of groupByKey(writes)) {
        multi.hset(key, fields.values);
        multi.expireat(key, fields.expireAt);
      }
      for (const id of pending) multi.set(this.keys.done(id), '1', 'EX', MARKER_TTL_S);
      multi.set(this.keys.ready, String(now));
      await multi.exec();
      await markBatchAggregated(this.sql, pending);
      await this.finishPendingBatches(0);
      return { facts: facts.length, pendingMarked: pending.length };
    } finally {
      // Release only our own lock: a slow rebuild must not free a lock another process took after expiry.
      await this.redis.eval(
        `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`,
        1,
        this.keys.rebuildLock,
        lockToken,
      );
    }
  }

  async readOverview(): Promise<OverviewSnapshot> {
    const nowMs = this.clock();
    const k = overviewKeys(this.prefix, nowMs);
    const pipeline = this.redis.pipeline();
    for (const key of [...k.seconds, ...k.minutes, ...k.orderMinutes]) pipeline.hgetall(key);
    const [results, backlog] = await Promise.all([pipeline.exec(), backlogCount(this.sql)]);
    const hashes = (results ?? []).map(([err, value]) => {
      if (err) throw err;
      return value as Record<string, string>;
    });
    const s = k.seconds.length;
    const m = k.minutes.length;
    return buildOverview({
      nowMs,
      minuteStarts: k.minuteStarts,
      seconds: hashes.slice(0, s),
      minutes: hashes.slice(s, s + m),
      orderMinutes: hashes.slice(s + m),
      backlog,
    });
  }

  /** The KPIs of the last 15 and 60 minutes and of today, from Redis, with the "now" figures from PostgreSQL. */
  async readKpis(): Promise<LiveKpis> {
    const nowMs = this.clock();
    const k = liveKpiKeys(this.prefix, nowMs, this.settings.timeZone);
    const pipeline = this.redis.pipeline();
    for (const key of [...k.minutes, k.day, ...k.seconds]) pipeline.hgetall(key);
    const [results, now, keys] = await Promise.all([
      pipeline.exec(),
      liveNowFigures(this.sql, { now: new Date(nowMs), riskHorizonMinutes: this.settings.riskHorizonMinutes }),
      kpiDimensionKeys(this.sql),
    ]);
    const hashes = (results ?? []).map(([err, value]) => {
      if (err) throw err;
      return value as Record<string, string>;
    });
    const m = k.minutes.length;
    return buildLiveKpis({
      nowMs,
      timeZone: this.settings.timeZone,
      minutes: hashes.slice(0, m),
      day: hashes[m],
      seconds: hashes.slice(m + 1),
      now,
      ...keys,
    });
  }

  private async scanKeys(pattern: string): Promise<string[]> {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      found.push(...keys);
    } while (cursor !== '0');
    return found;
  }
}

function groupByKey(writes: LiveWrite[]): Map<string, { values: Record<string, number>; expireAt: number }> {
  const byKey = new Map<string, { values: Record<string, number>; expireAt: number }>();
  for (const w of writes) {
    const entry = byKey.get(w.key) ?? { values: {}, expireAt: w.expireAt };
    entry.values[w.field] = (entry.values[w.field] ?? 0) + w.by;
    byKey.set(w.key, entry);
  }
  // Facts that cancel out (a first shipment displaced by an earlier one) leave no field behind, as in the worker's script.
  for (const [key, entry] of byKey) {
    for (const [field, value] of Object.entries(entry.values)) if (value === 0) delete entry.values[field];
    if (Object.keys(entry.values).length === 0) byKey.delete(key);
  }
  return byKey;
}

