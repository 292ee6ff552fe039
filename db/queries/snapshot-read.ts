import type { Sql, TransactionSql } from '../connect';

/**
 * Runs a read made of several queries in one snapshot, so that its parts add up (the buckets, the
 * reservations behind them and the ATS computed from them) even while workers commit batches.
 */
export function readSnapshot<T>(sql: Sql, read: (tx: TransactionSql) => Promise<T>): Promise<T> {
  return sql.begin('isolation level repeatable read read only', read) as Promise<T>;
}
