import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { axeViolations, launchChromium } from '../support/browser';
import { TEST_REDIS_URL } from '../support/env';
import { masterData, order } from '../support/events';
import { freePort, spawnTower, type TowerProcess } from '../support/processes';
import { dropRedisPrefix, uniquePrefix } from '../support/tower';
import { waitFor } from '../support/wait';

/**
 * The product as a person meets it: `npm start`'s process with no DATABASE_URL (the embedded
 * PostgreSQL), signed in through the page, watching a tile change when events arrive.
 */
const ADMIN = { email: 'ops@example.com', password: 'correct-horse-battery' };
const prefix = uniquePrefix();
let dataDir: string;
let tower: TowerProcess;
let url: string;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'tower-browser-'));
  // As root, PostgreSQL runs as its own user, which must be able to enter the data directory.
  await chmod(dataDir, 0o755);
  const port = await freePort();
  tower = spawnTower({
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    EMBEDDED_PG_PORT: String(await freePort()),
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: prefix,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
  });
  url = `http://127.0.0.1:${port}`;
  await waitFor('the tower to listen', () => tower.output().includes('control tower listening'), 90_000, 100).catch((err) => {
    throw new Error(`${err.message}\n${tower.output()}`);
  });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (tower && tower.child.exitCode === null) tower.child.kill('SIGKILL');
  await dropRedisPrefix(TEST_REDIS_URL, prefix);
  await rm(dataDir, { recursive: true, force: true });
});

const tileValue = (testid: string) => page.getByTestId(testid).getByTestId('tile-value').innerText();

it('signs in, creates an API key on the admin page, and sees a tile change when events are posted', async () => {
  await page.goto(url);
  await page.waitForURL(/\/login/);
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: /sign in/i }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  await expect.poll(() => page.getByTestId('connection-status').innerText(), { timeout: 10_000 }).toContain('Connected');

  await page.goto(`${url}/admin`);
  await page.getByLabel('Name').fill('web store');
  await page.getByLabel('Sources').fill('web');
  await page.getByRole('button', { name: 'Create key' }).click();
  const key = await page.locator('#new-key-value').inputValue();
  expect(key).toMatch(/^ct_/);

  await page.goto(url);
  await expect.poll(() => page.getByTestId('connection-status').innerText(), { timeout: 10_000 }).toContain('Connected');
  // The tile may still read "—" here and turn to 0 when the first snapshot lands: wait for that first,
  // so that the change below is the events', not the snapshot's.
  await expect.poll(() => tileValue('tile-orders-per-min'), { timeout: 10_000 }).toMatch(/\d/);
  const before = Number((await tileValue('tile-orders-per-min')).replace(/[^\d.]/g, ''));
  const events = [...masterData(), ...Array.from({ length: 12 }, (_, i) => order(`BR-${i}`, 'web', 2))];
  const res = await fetch(`${url}/api/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify(events),
  });
  expect(res.status).toBe(202);
  const ordersPerMin = async () => Number((await tileValue('tile-orders-per-min')).replace(/[^\d.]/g, ''));
  await expect.poll(ordersPerMin, { timeout: 10_000 }).toBeGreaterThanOrEqual(before + 12);
  await expect.poll(() => tileValue('tile-units-per-min'), { timeout: 5_000 }).toMatch(/2[4-9]|[3-9]\d/);

  // Let the charts draw, then keep the picture for the README.
  await page.waitForTimeout(800);
  await page.screenshot({ path: path.resolve('docs/screenshots/overview.png') });
}, 60_000);

it('has no accessibility violations that axe-core can find', async () => {
  const violations = await axeViolations(page);
  expect(violations).toEqual([]);
});

it('keeps the last values and marks tiles stale when the server goes away, and the server exits cleanly', async () => {
  const value = await tileValue('tile-orders-per-min');
  tower.child.kill('SIGTERM');
  expect(await tower.exited).toBe(0);
  await expect.poll(() => page.getByTestId('connection-status').innerText(), { timeout: 10_000 }).not.toContain('Connected');
  await expect.poll(() => page.getByTestId('tile-orders-per-min').getByTestId('stale-badge').count(), { timeout: 10_000 }).toBe(1);
  expect(await tileValue('tile-orders-per-min')).toBe(value);
}, 30_000);
