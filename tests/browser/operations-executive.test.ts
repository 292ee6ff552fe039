import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, launchChromium, signInPage } from '../support/browser';
import { event, type RawEvent } from '../support/events';
import { allApplied } from '../support/small-day';
import { startTestTower, type TestTower } from '../support/tower';

/**
 * The operations view (backlog, orders at risk with their countdowns, live KPIs, exceptions, pipeline)
 * and the executive view (KPI trends against the previous period, breakdowns), on a laptop and a phone.
 */
let t: TestTower;
let browser: Browser;
const contexts: BrowserContext[] = [];

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

function masterData(): RawEvent[] {
  const at = minutesAgo(3 * 24 * 60);
  return [
    event('item.upserted', { sku: 'TEE-BLK-M', name: 'Black tee M', unitCost: 6.5, unitPrice: 19.99, safetyStock: 0 }, { source: 'erp', occurredAt: at }),
    event('item.upserted', { sku: 'MUG-RED', name: 'Red mug', unitCost: 2.1, unitPrice: 9.5, safetyStock: 0 }, { source: 'erp', occurredAt: at }),
    event('location.upserted', { locationId: 'DC-EAST', name: 'East DC', kind: 'dc', region: 'east', shipsToCustomers: true, priority: 1 }, { source: 'erp', occurredAt: at }),
    event('location.upserted', { locationId: 'DC-WEST', name: 'West DC', kind: 'dc', region: 'west', shipsToCustomers: true, priority: 2 }, { source: 'erp', occurredAt: at }),
    event('channel.upserted', { channel: 'web', name: 'Web store', kind: 'webstore', priority: 1, allocationShare: 1, allowSplit: true, slaHours: 24 }, { source: 'erp', occurredAt: at }),
    event('channel.upserted', { channel: 'mkt-a', name: 'Marketplace A', kind: 'marketplace', priority: 2, allocationShare: 0.5, allowSplit: false, slaHours: 48 }, { source: 'erp', occurredAt: at }),
  ];
}

const order = (orderId: string, channel: string, minutes: number, sku: string, qty: number, promisedInMinutes?: number) =>
  event('order.created', {
    orderId, channel, payment: 'authorized', shipTo: { region: 'east', country: 'US' },
    lines: [{ sku, qty, unitPrice: 19.99 }],
    ...(promisedInMinutes === undefined ? {} : { promisedShipBy: minutesAgo(-promisedInMinutes) }),
  }, { source: channel, occurredAt: minutesAgo(minutes) });

const ship = (orderId: string, locationId: string, minutes: number, sku: string, qty: number) =>
  event('fulfillment.shipped', { orderId, locationId, shipmentId: `SH-${orderId}`, lines: [{ sku, qty }] }, { source: 'wms', occurredAt: minutesAgo(minutes) });

beforeAll(async () => {
  t = await startTestTower({ PUSH_INTERVAL_MS: '100' }, { web: true });
  browser = await launchChromium();
  const key = await t.createApiKey(['erp', 'wms', 'web', 'mkt-a']);
  expect((await t.postEvents(key, masterData())).status).toBe(202);
  await allApplied(t);
  const receipts = [
    event('stock.received', { sku: 'TEE-BLK-M', locationId: 'DC-EAST', qty: 200 }, { source: 'wms', occurredAt: minutesAgo(2 * 24 * 60) }),
    event('stock.received', { sku: 'MUG-RED', locationId: 'DC-WEST', qty: 100 }, { source: 'wms', occurredAt: minutesAgo(2 * 24 * 60) }),
  ];
  expect((await t.postEvents(key, receipts)).status).toBe(202);
  await allApplied(t);
  const orders = [
    // Yesterday and earlier today, shipped: the trends and fill rates have something to measure.
    order('W-1', 'web', 26 * 60, 'TEE-BLK-M', 2), order('W-2', 'web', 25 * 60, 'MUG-RED', 1), order('M-1', 'mkt-a', 24.5 * 60, 'TEE-BLK-M', 1),
    order('W-3', 'web', 50, 'TEE-BLK-M', 3), order('M-2', 'mkt-a', 40, 'MUG-RED', 2), order('W-4', 'web', 30, 'TEE-BLK-M', 1),
    // Not shipped, due soon or already overdue: at risk.
    order('W-5', 'web', 20, 'TEE-BLK-M', 2, 25), order('M-3', 'mkt-a', 15, 'MUG-RED', 1, -5), order('W-6', 'web', 5, 'MUG-RED', 4, 40),
  ];
  expect((await t.postEvents(key, orders)).status).toBe(202);
  await allApplied(t);
  const shipped = [
    ship('W-1', 'DC-EAST', 25 * 60, 'TEE-BLK-M', 2), ship('W-2', 'DC-WEST', 24 * 60, 'MUG-RED', 1), ship('M-1', 'DC-EAST', 23.8 * 60, 'TEE-BLK-M', 1),
    ship('W-3', 'DC-EAST', 20, 'TEE-BLK-M', 3), ship('M-2', 'DC-WEST', 10, 'MUG-RED', 2),
  ];
  expect((await t.postEvents(key, shipped)).status).toBe(202);
  await allApplied(t);
}, 120_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await t?.stop();
});

async function signedIn(viewport = { width: 1440, height: 1000 }, role: 'viewer' | 'admin' = 'viewer'): Promise<Page> {
  const user = await t.createUser(role);
  const { context, page } = await signInPage(browser, t.url, user, viewport);
  contexts.push(context);
  return page;
}

describe('the operations view', () => {
  it('shows the backlog, the orders at risk with ticking countdowns, live KPIs, exceptions and the pipeline', async () => {
    // An admin has the most links; the header still keeps them on one line at 1440 px.
    const page = await signedIn(undefined, 'admin');
    const header = (await page.locator('header.app-header').boundingBox())!;
    expect(header.height).toBeLessThan(64);
    expect(await page.getByTestId('nav-admin').count()).toBe(1);
    await page.getByTestId('nav-operations').click();
    await page.waitForURL(/\/operations$/);
    await page.getByTestId('operations').waitFor();

    await expect.poll(() => page.getByTestId('at-risk-order').count(), { timeout: 15_000 }).toBe(3);
    expect(await page.getByTestId('at-risk-order').first().getAttribute('data-order')).toBe('M-3');
    expect(await page.locator('[data-order="M-3"] a').getAttribute('href')).toBe('/orders/M-3');
    const countdown = page.locator('[data-order="W-5"] [data-testid="at-risk-countdown"]');
    const first = await countdown.innerText();
    expect(first).toMatch(/\d{2}:\d{2}/);
    await expect.poll(() => countdown.innerText(), { timeout: 5_000 }).not.toBe(first);
    expect(await page.locator('[data-order="M-3"] [data-testid="at-risk-countdown"]').innerText()).toContain('−');

    expect(await page.getByTestId('ops-backlog').innerText()).toContain('orders waiting to ship');
    expect(await page.getByTestId('chart-backlog').getAttribute('aria-label')).toMatch(/\d+ orders waiting to ship/);
    expect(await page.getByTestId('ops-backlog').getAttribute('data-stale')).toBe('false');
    await expect.poll(() => page.getByTestId('wall-kpi-fill-rate').getByTestId('tile-value').innerText(), { timeout: 15_000 }).toMatch(/%/);
    await page.getByTestId('board-orders').waitFor();
    await page.getByTestId('board-pipeline').waitFor();
    await page.getByTestId('board-exceptions').waitFor();

    expect(await axeViolations(page)).toEqual([]);
    await page.waitForTimeout(500);
    await page.screenshot({ path: path.resolve('docs/screenshots/operations.png'), fullPage: true });
  });
});

describe('the executive view', () => {
  it('compares the KPIs with the previous period by hour and by day, with breakdowns', async () => {
    const page = await signedIn();
    await page.getByTestId('nav-executive').click();
    await page.waitForURL(/\/executive$/);
    const orders = page.getByTestId('chart-trend-orders');
    await orders.waitFor({ timeout: 15_000 });
    // The text alternative lists the points: hour, this period against the previous.
    expect(await orders.getAttribute('aria-label')).toMatch(/\d{2}:00 \d+ vs \d+/);
    expect(await page.locator('[data-testid="trend-orders"] [data-testid="trend-value"]').innerText()).toMatch(/^\d+$/);
    expect(await page.getByTestId('chart-trend-unitFillRate').locator('canvas').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('breakdown-channel').getByTestId('breakdown-row').count()).toBe(2);
    expect(await page.getByTestId('breakdown-location').getByTestId('breakdown-row').count()).toBe(2);
    expect(await axeViolations(page)).toEqual([]);
    await page.waitForTimeout(500);
    await page.screenshot({ path: path.resolve('docs/screenshots/executive.png'), fullPage: true });

    await page.getByTestId('period-14d').click();
    await expect.poll(() => page.getByTestId('executive').getAttribute('data-period'), { timeout: 15_000 }).toBe('14d');
    const label = await page.getByTestId('chart-trend-orders').getAttribute('aria-label');
    expect(label).toMatch(/[A-Z][a-z]{2} \d{1,2} \d+ vs \d+/);
    // Days with orders: today (and yesterday unless midnight is close); the total is the sum.
    expect(Number(await page.locator('[data-testid="trend-orders"] [data-testid="trend-value"]').innerText())).toBe(9);
  });

  it('reads on a phone without horizontal scrolling', async () => {
    const page = await signedIn({ width: 390, height: 844 });
    await page.goto(`${t.url}/executive`);
    await page.getByTestId('chart-trend-orders').waitFor({ timeout: 15_000 });
    const widths = await page.evaluate('[document.documentElement.scrollWidth, document.documentElement.clientWidth]') as number[];
    expect(widths[0]).toBeLessThanOrEqual(widths[1]!);
    expect(await axeViolations(page)).toEqual([]);
  });
});
