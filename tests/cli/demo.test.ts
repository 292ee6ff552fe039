import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { TEST_REDIS_URL } from '../support/env';
import { freePort } from '../support/processes';
import { dropRedisPrefix, uniquePrefix } from '../support/tower';
import { waitFor } from '../support/wait';

/**
 * `npm run demo` as a person meets it on a fresh machine: its own tower (embedded PostgreSQL in its
 * own data directory), the credentials printed, the simulator streaming through the public API into
 * dashboards that fill, and Ctrl-C stopping the simulator and the tower.
 */
const prefix = uniquePrefix();
let dataDir: string;

afterAll(async () => {
  await dropRedisPrefix(TEST_REDIS_URL, prefix);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

it('starts a tower, prints where to sign in, fills the dashboards, and stops on Ctrl-C', async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'tower-demo-'));
  // As root, PostgreSQL runs as its own user, which must be able to enter the data directory.
  await chmod(dataDir, 0o755);
  const port = await freePort();
  const env: Record<string, string | undefined> = {
    ...process.env, DATABASE_URL: undefined, DATA_DIR: dataDir, PORT: String(port), EMBEDDED_PG_PORT: String(await freePort()),
    REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix,
  };
  const child = spawn(process.execPath, ['--import', 'tsx', 'realtime/cli/demo.ts', '--backfill', '5m', '--skus', '300', '--duration', '5m'], {
    env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    await waitFor('the demo streaming live', () => out.includes('live 00:00:0'), 150_000, 200).catch((err) => {
      throw new Error(`${err.message}\n${out}`);
    });
    const url = `http://localhost:${port}`;
    expect(out).toContain(`Control tower demo: ${url}`);
    expect(out).toContain('Sign in as demo@example.com with password demo-tower-2026');
    expect(out).toMatch(/master data and opening stock: \d+ events \(300 SKUs, 8 locations, 5 channels\)/);

    // The printed credentials work, and the overview shows orders from the simulated channels.
    const login = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'demo@example.com', password: 'demo-tower-2026' }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    await waitFor('orders on the overview', async () => {
      const overview = (await (await fetch(`${url}/api/v1/live/overview`, { headers: { cookie } })).json()) as { minutes: { orders: Record<string, number> }[] };
      return overview.minutes.some((m) => Object.values(m.orders).some((n) => n > 0));
    }, 60_000, 500);

    child.kill('SIGINT');
    expect(await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running'), 60_000))]), out).toBe(0);
    expect(out).toMatch(/stopped · [\d,]+ events sent · [\d,]+ accepted · 0 duplicates · 0 rejected/);
    // The tower went with it.
    expect(await fetch(`${url}/readyz`).then(() => 'answering', () => 'gone')).toBe('gone');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}, 240_000);
