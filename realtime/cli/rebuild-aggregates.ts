import { Redis } from 'ioredis';
import { LiveAggregates } from '../../jobs/live-aggregates';
import { openDatabase } from '../bootstrap/database';
import { ensureRedis } from '../bootstrap/redis';
import { loadConfig } from '../config';
import { createLogger } from '../logger';

/** `npm run rebuild-aggregates`: recomputes the Redis live aggregates from PostgreSQL, the system of record. */
const config = loadConfig();
const log = createLogger(config.LOG_LEVEL);
const db = await openDatabase(config, log);
const redisHandle = await ensureRedis(config, log);
const redis = new Redis(redisHandle.url);
try {
  const live = new LiveAggregates(redis, db.sql, config.REDIS_PREFIX, Date.now, { timeZone: config.BUSINESS_TIMEZONE, riskHorizonMinutes: config.RISK_HORIZON_MINUTES });
  const started = performance.now();
  for (let attempt = 0; ; attempt++) {
    const result = await live.rebuild();
    if (result) {
      const ms = performance.now() - started;
      console.log(`rebuilt live aggregates from ${result.facts} grouped facts in ${ms.toFixed(0)} ms`);
      break;
    }
    if (attempt === 0) process.stdout.write('another process is rebuilding; waiting');
    else process.stdout.write('.');
    if (attempt > 120) throw new Error('the rebuild lock was not released within 2 minutes');
    await new Promise((r) => setTimeout(r, 1000));
  }
} finally {
  redis.disconnect();
  await db.stop();
  await redisHandle.stop();
}
