import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSimulateArgs, UsageError } from '../../realtime/cli/simulate/options';
import { buildWorld } from '../../simulator/world';
import { startTestTower, type TestTower } from '../support/tower';
import { waitFor } from '../support/wait';

const tower = { timeline: 'steady', backfill: '0s', needsTower: true };
const parse = (args: string[], env: Record<string, string> = { TOWER_API_KEY: 'ct_x' }) => parseSimulateArgs(args, env, tower);

describe('npm run simulate: its options', () => {
  it('reads a scenario timeline, speed and duration', () => {
    const p = parse(['--scenario', 'steady,flash-sale@10m+15m', '--speed', '6', '--duration', '10m', '--seed', '42']);
    if (!('options' in p)) throw new Error('expected options');
    expect(p.options).toMatchObject({ speed: 6, durationMs: 600_000, seed: 42, url: 'http://localhost:3000', apiKey: 'ct_x' });
    expect(p.options.scenarios.map((s) => [s.name, s.startOffsetMs, s.durationMs])).toEqual([['steady', 0, Infinity], ['flash-sale', 600_000, 900_000]]);
  });

  it('says what is wrong and where', () => {
    expect(() => parse(['--scenario', 'steady,flash-sael@5m'])).toThrow(/--scenario: scenario 2 \("flash-sael@5m", column 8\): unknown scenario "flash-sael"/);
    expect(() => parse(['--speed', '10'])).toThrow(/--speed above 1 needs --duration/);
    expect(() => parse(['--speed', '0'])).toThrow(UsageError);
    expect(() => parse(['--duration', '10'])).toThrow(/--duration: "10" is not a duration/);
    expect(() => parse([], {})).toThrow(/--api-key \(or TOWER_API_KEY\) is required/);
    expect(() => parse(['--url', 'ftp://x'])).toThrow(/--url must be an http\(s\) URL/);
  });
});

describe('npm run simulate against a tower', () => {
  let t: TestTower;
  beforeAll(async () => {
    t = await startTestTower();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('streams a backfill and a few live seconds that the tower applies without a single invalid event', async () => {
    const res = await fetch(`${t.url}/api/v1/api-keys`, {
      method: 'POST', headers: { cookie: t.adminCookie, origin: t.url, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'simulator', sources: buildWorld({ seed: 1, skuCount: 10 }).sources }),
    });
    const key = ((await res.json()) as { key: string }).key;
    const child = spawn(process.execPath, ['--import', 'tsx', 'realtime/cli/simulate.ts', '--url', t.url, '--backfill', '5m', '--duration', '3s', '--skus', '300', '--scenario', 'steady,flash-sale@0s'], {
      env: { ...process.env, TOWER_API_KEY: key }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code, err).toBe(0);
    expect(err).toMatch(/master data and opening stock: \d+ events \(300 SKUs, 8 locations, 5 channels\)/);
    const sent = Number(/stopped · ([\d,]+) events sent/.exec(err)?.[1]?.replace(/,/g, ''));
    expect(sent).toBeGreaterThan(1000);
    await waitFor('every event applied', async () => (await t.db.sql`SELECT count(*)::int AS n FROM events WHERE applied_at IS NULL`)[0]!.n === 0, 60_000);
    expect((await t.db.sql`SELECT count(*)::int AS n FROM events`)[0]!.n).toBe(sent);
    expect(await t.db.sql`SELECT subject, details->>'reason' AS reason FROM exceptions WHERE type = 'invalid_event'`).toEqual([]);
  }, 120_000);
});
