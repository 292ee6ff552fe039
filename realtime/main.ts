import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { RequestHandler } from 'express';
import { ConfigError } from '../domain/config';
import { RedisUnavailableError } from './bootstrap/redis';
import { loadConfig } from './config';
import { createLogger } from './logger';
import { startTower } from './tower';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The built SvelteKit app; built on first start when missing so `npm start` works on a fresh clone. */
async function loadWebHandler(log: ReturnType<typeof createLogger>): Promise<RequestHandler> {
  const handlerPath = path.join(root, 'web', 'build', 'handler.js');
  if (!existsSync(handlerPath)) {
    log.info('no web build yet: building the dashboard (once)');
    const vite = path.join(root, 'node_modules', '.bin', 'vite');
    const result = spawnSync(vite, ['build'], { cwd: path.join(root, 'web'), stdio: 'inherit' });
    if (result.status !== 0) throw new Error('building the web app failed (see above)');
  }
  return (await import(pathToFileURL(handlerPath).href)).handler as RequestHandler;
}

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.LOG_LEVEL);
  const webHandler = config.ROLE === 'worker' ? undefined : await loadWebHandler(log);
  let tower;
  try {
    tower = await startTower(config, log, { webHandler });
  } catch (err) {
    if (err instanceof RedisUnavailableError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  log.info({ role: config.ROLE, url: tower.url }, tower.url ? `control tower listening on ${tower.url}` : 'control tower worker running');

  let signals = 0;
  const shutdown = async (signal: string) => {
    if (++signals > 1) {
      log.warn('second signal: exiting now');
      process.exit(1);
    }
    log.info({ signal }, 'shutting down gracefully');
    try {
      await tower.stop();
      process.exit(0);
    } catch (err) {
      log.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
