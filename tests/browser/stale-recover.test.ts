import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, launchChromium, signInPage } from '../support/browser';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { TEST_REDIS_URL } from '../support/env';
import { freePort, spawnTower, stopTowers, type TowerProcess } from '../support/processes';
import { EventSimulator } from '../support/simulated-events';
import { dropRedisPrefix, uniquePrefix } from '../support/tower';
import { waitFor } from '../support/wait';

/**
 * The desk views (operations, executive, inventory, order search, order detail) open side by side
 * while the tower goes away and comes back: each keeps its figures, says it is stale (in words, not
 * colour alone), and follows the tower again on its own once it is back. The tower is its own process
 * so that it can really go away.
 */
const ADMIN = { email: 'desk@example.com', password: 'correct-horse-battery' };
const SOURCE = 'sim';
const prefix = uniquePrefix();
let db: TestDatabase;
let env: Record<string, string>;
let tower: TowerProcess;
let url: string;
let browser: Browser;
let context: BrowserContext;
let apiKey: string;
const sim = new EventSimulator({ source: SOURCE, runId: `sr${Date.now().toString(36)}` });
let firstOrder: string;

async function startTower(): Promise<void> {
  tower = spawnTower(env);
  await waitFor('the tower to listen', () => tower.output().includes('control tower listening'), 90_000, 100).catch((err) => {
    throw new Error(`${err.message}\n${tower.output()}`);
  });
}

async function post(events: unknown[]): Promise<void> {
  const res = await fetch(`${url}/api/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify(events),
  });
  expect(res.status).toBe(202);
}

const allApplied = () =>
  waitFor('every event applied', async () => (await db.sql`SELECT count(*)::int AS n FROM events WHERE applied_at IS NULL`)[0]!.n === 0, 60_000);

beforeAll(async () => {
  db = await createTestDatabase();
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  env = {
    PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix,
    ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, RULES_INTERVAL_MS: '3600000',
  };
  await startTower();
  const login = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const created = await fetch(`${url}/api/v1/api-keys`, {
    method: 'POST', headers: { cookie, origin: url, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'simulator', sources: [SOURCE] }),
  });
  apiKey = ((await created.json()) as { key: string }).key;
  const now = Date.now();
  await post(sim.masterData(new Date(now - 2 * 3_600_000)));
  await allApplied();
  const orders = sim.history(new Date(now), 30, 2);
  firstOrder = (orders[0]!.data as { orderId: string }).orderId;
  await post(orders);
  await allApplied();
  browser = await launchChromium();
  ({ context } = await signInPage(browser, url, ADMIN, { width: 1440, height: 1000 }));
}, 150_000);

afterAll(async () => {
  await context?.close().catch(() => {});
  await browser?.close();
  if (tower) await stopTowers([tower]);
  await dropRedisPrefix(TEST_REDIS_URL, prefix);
  await db?.drop();
});

/** Each view, where its "as of" note is, and a figure that the events below change. */
interface View {
  name: string;
  path: () => string;
  /** The element whose `data-stale` tells whether the view still follows the tower. */
  marker: string;
  /** Where the page says, in words, that it is stale. */
  badge: (page: Page) => Locator;
  /** Something on the page that an applied event changes. */
  figure: (page: Page) => Promise<string>;
}

const views: View[] = [
  { name: 'operations', path: () => '/operations', marker: 'ops-backlog', badge: (p) => p.getByTestId('ops-stale'), figure: (p) => p.getByTestId('chart-backlog').getAttribute('aria-label').then(String) },
  { name: 'executive', path: () => '/executive', marker: 'executive-read', badge: (p) => p.getByTestId('executive-read').getByTestId('stale-badge'), figure: (p) => p.locator('[data-testid="trend-orders"] [data-testid="trend-value"]').innerText() },
  { name: 'inventory', path: () => '/inventory', marker: 'inventory-read', badge: (p) => p.getByTestId('inventory-read').getByTestId('stale-badge'), figure: (p) => p.locator('[data-testid="heatmap-cell"][data-sku="SKU-001"][data-location="DC-EAST"]').textContent().then((t) => (t ?? '').trim()) },
  { name: 'order search', path: () => '/orders', marker: 'orders-read', badge: (p) => p.getByTestId('orders-read').getByTestId('stale-badge'), figure: (p) => p.getByTestId('order-row').first().getAttribute('data-order-id').then(String) },
  { name: 'order detail', path: () => `/orders/${firstOrder}`, marker: 'order-read', badge: (p) => p.getByTestId('order-read').getByTestId('stale-badge'), figure: (p) => p.getByTestId('order-status').innerText() },
];
const pages = new Map<string, Page>();
const stale = (page: Page, view: View) => page.getByTestId(view.marker).getAttribute('data-stale');

describe('the desk views when the tower goes away and comes back', () => {
  it('render with data, fresh, and update live when events apply', async () => {
    for (const view of views) {
      const page = await context.newPage();
      pages.set(view.name, page);
      await page.goto(`${url}${view.path()}`);
      await expect.poll(() => stale(page, view), { timeout: 15_000, message: view.name }).toBe('false');
      expect(await view.figure(page), view.name).toBeTruthy();
    }
    const before = new Map<string, string>();
    for (const view of views) before.set(view.name, await view.figure(pages.get(view.name)!));

    // Two more orders on SKU-001 shipping east, and the first order shipped: every view has something to show.
    const orders = [sim.order(new Date(), 'web'), sim.order(new Date(), 'web')];
    for (const o of orders) Object.assign(o.data, { lines: [{ sku: 'SKU-001', qty: 2, unitPrice: 10 }], shipTo: { region: 'east', country: 'US' } });
    // Ship what the first order reserved at one location: its status changes.
    const reserved = await db.sql`SELECT location_id, sku, qty FROM reservations WHERE order_id = ${firstOrder} ORDER BY location_id, sku`;
    const locationId = reserved[0]!.location_id as string;
    const lines = reserved.filter((r) => r.location_id === locationId).map((r) => ({ sku: r.sku as string, qty: Number(r.qty) }));
    await post([...orders, {
      id: `${firstOrder}-ship`, type: 'fulfillment.shipped', source: SOURCE, occurredAt: new Date().toISOString(),
      data: { orderId: firstOrder, locationId, shipmentId: `${firstOrder}-S1`, lines },
    }]);
    for (const view of views) {
      const page = pages.get(view.name)!;
      await expect.poll(() => view.figure(page), { timeout: 25_000, message: `${view.name} updates live` }).not.toBe(before.get(view.name));
    }
  }, 120_000);

  it('keep their figures and say they are stale while the tower is gone', async () => {
    const shown = new Map<string, string>();
    for (const view of views) shown.set(view.name, await view.figure(pages.get(view.name)!));
    tower.child.kill('SIGTERM');
    expect(await tower.exited).toBe(0);
    for (const view of views) {
      const page = pages.get(view.name)!;
      await expect.poll(() => stale(page, view), { timeout: 15_000, message: `${view.name} turns stale` }).toBe('true');
      // Said in words beside the icon, not by colour alone.
      expect(await view.badge(page).innerText(), view.name).toMatch(/stale|not updating/i);
      expect(await view.figure(page), `${view.name} keeps its last figure`).toBe(shown.get(view.name));
      expect(await axeViolations(page), `${view.name} when stale`).toEqual([]);
    }
  }, 60_000);

  it('follow the tower again on their own once it is back', async () => {
    await startTower();
    for (const view of views) {
      const page = pages.get(view.name)!;
      await expect.poll(() => stale(page, view), { timeout: 30_000, message: `${view.name} recovers` }).toBe('false');
    }
    const before = await views[3]!.figure(pages.get('order search')!);
    const order = sim.order(new Date(), 'web');
    await post([order]);
    await expect.poll(() => views[3]!.figure(pages.get('order search')!), { timeout: 15_000 }).toBe((order.data as { orderId: string }).orderId);
    expect(before).not.toBe((order.data as { orderId: string }).orderId);
  }, 90_000);
});
