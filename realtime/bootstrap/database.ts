import type { Logger } from 'pino';
import { createSql, ensureDatabase, type Sql } from '../../db/connect';
import postgres from 'postgres';
import { embeddedUrl, startEmbeddedPostgres } from '../../db/embedded';
import { migrate } from '../../db/migrate';
import type { Config } from '../../domain/config';

/** DATABASE_URL, or an embedded PostgreSQL under DATA_DIR; the database is created and migrated. */
export async function openDatabase(config: Config, log: Logger, opts: { migrate?: boolean } = {}): Promise<{ sql: Sql; url: string; stop(): Promise<void> }> {
  let url = config.DATABASE_URL;
  let embedded: { stop(): Promise<void> } | null = null;
  if (!url) {
    const running = embeddedUrl(config.EMBEDDED_PG_PORT);
    if (await answers(running)) {
      // Another tower process (or `npm start` beside `npm run worker`) already runs it: share it.
      url = running;
    } else {
      log.info({ dataDir: config.DATA_DIR }, 'DATABASE_URL is not set: starting the embedded PostgreSQL');
      const db = await startEmbeddedPostgres({ dataDir: config.DATA_DIR, port: config.EMBEDDED_PG_PORT, log: (m) => log.warn(m) });
      embedded = db;
      url = db.url;
    }
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

async function answers(url: string): Promise<boolean> {
  const probe = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => {} });
  try {
    await probe`SELECT 1`;
    return true;
  } catch {
    return false;
  } finally {
    await probe.end({ timeout: 1 });
  }
}
