import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** A private redis-server for tests that must FLUSHALL or stop Redis without touching anyone else's keys. */
export async function startPrivateRedis(): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  const { Redis } = await import('ioredis');
  for (let i = 0; i < 100; i++) {
    const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on('error', () => {});
    const ok = await r.connect().then(() => r.ping(), () => null);
    r.disconnect();
    if (ok === 'PONG') break;
    await new Promise((res) => setTimeout(res, 50));
  }
  return {
    url,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    }),
  };
}

export interface TowerProcess {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

/** Runs `realtime/main.ts` as its own process (the way `npm start` / `npm run worker` do). */
export function spawnTower(env: Record<string, string>): TowerProcess {
  const root = path.resolve(import.meta.dirname, '../..');
  const child = spawn(process.execPath, ['--import', 'tsx', 'realtime/main.ts'], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** Stops tower processes gracefully (SIGTERM), and kills what has not exited within 15 s. */
export async function stopTowers(towers: readonly TowerProcess[]): Promise<void> {
  for (const w of towers) if (w.child.exitCode === null) w.child.kill('SIGTERM');
  await Promise.all(towers.map((w) => Promise.race([w.exited, new Promise((r) => setTimeout(r, 15_000))])));
  for (const w of towers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
}
