import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { openDatabase } from '../bootstrap/database';

/** `npm run migrate`: applies pending migrations (the tower also does this at every start). */
const config = loadConfig();
const log = createLogger(config.LOG_LEVEL);
const db = await openDatabase(config, log, { migrate: false });
try {
  const { migrate } = await import('../../db/migrate');
  const applied = await migrate(db.sql);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
} finally {
  await db.stop();
}
