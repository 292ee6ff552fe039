import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { createSql, ensureDatabase } from '../../db/connect';
import { migrate } from '../../db/migrate';
import { databaseUrl, PG_ADMIN_URL, templateName } from './env';

/** A migrated template database, named by a hash of the migrations; each test file clones it. */
export default async function setup({ provide }: { provide: (key: string, value: unknown) => void }) {
  const dir = path.resolve('db/migrations');
  const hash = createHash('sha256');
  for (const f of readdirSync(dir).sort()) hash.update(f).update(readFileSync(path.join(dir, f)));
  const name = templateName(hash.digest('hex').slice(0, 12));
  const admin = postgres(PG_ADMIN_URL, { max: 1, onnotice: () => {} });
  try {
    const [exists] = await admin`SELECT 1 FROM pg_database WHERE datname = ${name}`;
    if (!exists) {
      const building = `${name}_build_${process.pid}`;
      await ensureDatabase(databaseUrl(building));
      const sql = createSql(databaseUrl(building), { max: 1 });
      await migrate(sql);
      await sql.end();
      await admin.unsafe(`ALTER DATABASE "${building}" RENAME TO "${name}"`).catch(async (err) => {
        // Another run renamed its own build first: ours is not needed.
        await admin.unsafe(`DROP DATABASE IF EXISTS "${building}"`);
        if (err.code !== '42P04') throw err;
      });
    }
  } finally {
    await admin.end();
  }
  provide('templateDb', name);
}

declare module 'vitest' {
  export interface ProvidedContext {
    templateDb: string;
  }
}
