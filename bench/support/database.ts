import { randomBytes } from 'node:crypto';
import { createSql, dropDatabase, ensureDatabase, type Sql } from '../../db/connect';
import { migrate } from '../../db/migrate';

export interface BenchDatabase {
  name: string;
  url: string;
  sql: Sql;
  drop(): Promise<void>;
}

/** `serverUrl` with another database name. */
export function withDatabase(serverUrl: string, name: string): string {
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

/** A fresh, migrated `tower_bench_<random>` on the server of `serverUrl`; `drop` removes it. */
export async function createBenchDatabase(serverUrl: string): Promise<BenchDatabase> {
  const name = `tower_bench_${randomBytes(5).toString('hex')}`;
  const url = withDatabase(serverUrl, name);
  await ensureDatabase(url);
  const sql = createSql(url, { max: 4 });
  await migrate(sql);
  return {
    name,
    url,
    sql,
    async drop() {
      await sql.end({ timeout: 5 });
      await dropDatabase(url);
    },
  };
}
