import type { Logger } from 'pino';
import { createSql, ensureDatabase, type Sql } from '../../db/connect';
import { startEmbeddedPostgres } from '../../db/embedded';
import { migrate } from '../../db/migrate';
import type { Config } from '../../domain/config';

/** DATABASE_URL, or an embedded PostgreSQL under DATA_DIR; the database is created and migrated. */
export async function openDatabase(config: Config, log: Logger, opts: { migrate?: boolean } = {}): Promise<{ sql: Sql; url: string; stop(): Promise<void> }> {
  let url = config.DATABASE_URL;
  let embedded: { stop(): Promise<void> } | null = null;
  if (!url) {
    log.info({ dataDir: config.DATA_DIR }, 'DATABASE_URL is not set: starting the embedded PostgreSQL');
    const db = await startEmbeddedPostgres({ dataDir: config.DATA_DIR, port: config.EMBEDDED_PG_PORT, log: (m) => log.warn(m) });
    embedded = db;
    url = db.url;
  }
  await ensureDatabase(url);
  const sql = createSql(url, { max: 20 });
  if (opts.migrate !== false) {
    const applied = await migrate(sql);
    if (applied.length > 0) log.info({ applied }, 'migrations applied');
  }
  return {
    sql,
    url,
    async stop() {
      await sql.end({ timeout: 5 });
      await embedded?.stop();
    },
  };
}
