import type { Redis } from 'ioredis';

const HIT_LUA = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return { n, redis.call('TTL', KEYS[1]) }`;

export interface RateDecision {
  allowed: boolean;
  retryAfterSeconds: number;
}

/**
 * Fixed-window counter in Redis, shared by every API process. If Redis cannot answer, the request is
 * let through: ingest durability does not depend on Redis, and a limiter must not become an outage.
 */
export async function rateHit(redis: Redis, key: string, limit: number, windowSeconds: number): Promise<RateDecision> {
  try {
    const [count, ttl] = (await redis.eval(HIT_LUA, 1, key, windowSeconds)) as [number, number];
    return { allowed: count <= limit, retryAfterSeconds: Math.max(1, ttl) };
  } catch {
    return { allowed: true, retryAfterSeconds: 0 };
  }
}

export async function rateReset(redis: Redis, key: string): Promise<void> {
  await redis.del(key).catch(() => {});
}
