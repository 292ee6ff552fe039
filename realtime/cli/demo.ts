import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildWorld } from '../../simulator/world';
import { createSender, SendAborted } from './import/send';
import { DEMO_TIMELINE, parseSimulateArgs, usage, UsageError } from './simulate/options';
import { runSimulation } from './simulate/run-simulation';

const COMMAND = 'npm run demo --';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The demo's own tower: its own data directory, embedded PostgreSQL port and Redis prefix, so it never touches `npm start`'s. */
const DEMO_ENV = {
  DATA_DIR: './.data/demo',
  EMBEDDED_PG_PORT: '54339',
  REDIS_PREFIX: 'demo',
  ADMIN_EMAIL: 'demo@example.com',
  ADMIN_PASSWORD: 'demo-tower-2026',
  PORT: '3000',
  LOG_LEVEL: 'warn',
};

async function ready(url: string, child: ReturnType<typeof spawn>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the tower exited (code ${child.exitCode}); its messages are above`);
    const ok = await fetch(`${url}/readyz`).then((r) => r.ok, () => false);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`the tower did not become ready at ${url} within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function apiKeyFor(url: string, env: typeof DEMO_ENV, sources: readonly string[]): Promise<string> {
  const login = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: env.ADMIN_EMAIL, password: env.ADMIN_PASSWORD }),
  });
  if (login.status !== 200) {
    throw new Error(`cannot sign in as ${env.ADMIN_EMAIL} (${login.status}): the demo's data directory (${env.DATA_DIR}) has another first admin; `
      + 'set ADMIN_EMAIL and ADMIN_PASSWORD to it, or remove the directory to start afresh');
  }
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const res = await fetch(`${url}/api/v1/api-keys`, {
    method: 'POST', headers: { cookie, origin: url, 'content-type': 'application/json' },
    body: JSON.stringify({ name: `demo simulator ${new Date().toISOString().slice(0, 16)}`, sources }),
  });
  if (res.status !== 201) throw new Error(`creating the simulator's API key failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { key: string }).key;
}

/**
 * `npm run demo`: starts a tower with its embedded defaults as its own process, creates the demo admin
 * and an API key, prints where to look, and streams a simulated peak-season retailer into it through
 * the public API (an hour of history first, then live, with a tour of the scenarios). Ctrl-C stops both.
 */
async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseSimulateArgs(process.argv.slice(2), process.env, { timeline: DEMO_TIMELINE, backfill: '60m', ordersPerMinute: '600', needsTower: false });
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${err.message}\n\n${usage(COMMAND)}`);
    return 2;
  }
  if ('listSources' in parsed || parsed.help) {
    process.stdout.write(usage(COMMAND, '\nStarts a tower (embedded PostgreSQL under ./.data/demo, Redis prefix "demo") and streams a simulated retailer into it.\nTower variables (PORT, DATABASE_URL, REDIS_URL, ADMIN_EMAIL, ADMIN_PASSWORD, ...) are passed through.\n'));
    return 0;
  }
  const env = { ...DEMO_ENV, ...Object.fromEntries(Object.keys(DEMO_ENV).filter((k) => process.env[k]).map((k) => [k, process.env[k]!])) } as typeof DEMO_ENV;
  const url = `http://localhost:${env.PORT}`;
  process.stderr.write('starting the tower (the first start builds the dashboard and sets up PostgreSQL: about a minute)…\n');
  // Its own process group: Ctrl-C reaches the demo alone, which then stops the tower once, gracefully
  // (a second signal would make the tower exit at once).
  const child = spawn(process.execPath, ['--import', 'tsx', 'realtime/main.ts'], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit'], detached: true });
  process.once('exit', () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await ready(url, child, 300_000);
    const sources = buildWorld({ seed: 1, skuCount: 10 }).sources;
    const apiKey = await apiKeyFor(url, env, sources);
    process.stderr.write([
      '',
      `  Control tower demo: ${url}`,
      `  Sign in as ${env.ADMIN_EMAIL} with password ${env.ADMIN_PASSWORD}`,
      `  War room: ${url}/war-room   ·   Operations: ${url}/operations   ·   Inventory: ${url}/inventory`,
      `  Scenarios (from the live start): ${parsed.options.timeline}`,
      '  Ctrl-C stops the simulator and the tower.',
      '', '',
    ].join('\n'));
    const send = createSender({ url, apiKey, onWait: (m) => process.stderr.write(`\n${m}\n`) });
    await runSimulation({ options: parsed.options, send, out: process.stderr, signal: stop.signal });
    return 0;
  } catch (err) {
    if (err instanceof SendAborted) {
      process.stderr.write(`\n${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`\n${(err as Error).message}\n`);
    return 1;
  } finally {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  }
}

process.exitCode = await main();
