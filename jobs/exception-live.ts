import type { Redis } from 'ioredis';
import type { Sql } from '../db/connect';
import { exceptionSummary } from '../db/queries/exceptions-read';
import type { ExceptionSummary } from '../domain/exceptions/view';

/**
 * Counts and oldest age per exception type, kept in Redis beside the other live aggregates so that
 * every dashboard reads one figure. Recomputed from PostgreSQL (one pass over the unresolved rows'
 * partial index) whenever exceptions change, at most once per `minIntervalMs`; a missing key (Redis
 * flushed) is simply recomputed.
 */
export class ExceptionLive {
  private readonly key: string;
  constructor(private readonly redis: Redis, private readonly sql: Sql, prefix: string) {
    this.key = `${prefix}:live:exceptions`;
  }

  async refresh(now = new Date()): Promise<ExceptionSummary> {
    const summary = await exceptionSummary(this.sql, now);
    await this.redis.set(this.key, JSON.stringify(summary), 'EX', 3600);
    return summary;
  }

  /** The stored summary, or a fresh one when Redis has none or it is older than `maxAgeMs` (overdue counts move with time). */
  async read(maxAgeMs = 5000): Promise<ExceptionSummary> {
    const stored = await this.redis.get(this.key);
    const summary = stored ? (JSON.parse(stored) as ExceptionSummary) : null;
    if (summary && Date.now() - Date.parse(summary.asOf) <= maxAgeMs) return summary;
    return this.refresh();
  }
}
