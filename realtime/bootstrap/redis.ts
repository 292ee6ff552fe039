import { spawn, spawnSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../../domain/config';

const DEFAULT_URL = 'redis://127.0.0.1:6379';

export class RedisUnavailableError extends Error {
  constructor(url: string) {
    super(
      `Redis is not answering at ${url} and no redis-server is on PATH to start one.\n` +
        `Install Redis (Debian/Ubuntu: sudo apt-get install -y redis-server; macOS: brew install redis),\n` +
        `or run it with Docker: docker compose up -d redis, or point REDIS_URL at a running server.`,
    );
    this.name = 'RedisUnavailableError';
  }
}

async function answers(url: string): Promise<boolean> {
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1500 });
  probe.on('error', () => {});
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

/**
 * REDIS_URL, or the default local Redis; when nothing answers there and `redis-server` is installed,
 * one is started with its data under DATA_DIR/redis and append-only persistence, and stopped with us.
 */
export async function ensureRedis(config: Config, log: Logger): Promise<{ url: string; stop(): Promise<void> }> {
  if (config.REDIS_URL) return { url: config.REDIS_URL, stop: async () => {} };
  if (await answers(DEFAULT_URL)) return { url: DEFAULT_URL, stop: async () => {} };
  if (spawnSync('redis-server', ['--version']).status !== 0) throw new RedisUnavailableError(DEFAULT_URL);
  const dir = path.resolve(config.DATA_DIR, 'redis');
  await mkdir(dir, { recursive: true });
  log.info({ dir }, 'no Redis on 127.0.0.1:6379: starting redis-server');
  const child = spawn('redis-server', ['--bind', '127.0.0.1', '--port', '6379', '--dir', dir, '--appendonly', 'yes', '--save', '', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
  for (let i = 0; i < 50 && !(await answers(DEFAULT_URL)); i++) await new Promise((r) => setTimeout(r, 100));
  if (!(await answers(DEFAULT_URL))) {
    child.kill('SIGKILL');
    throw new RedisUnavailableError(DEFAULT_URL);
  }
  return {
    url: DEFAULT_URL,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
