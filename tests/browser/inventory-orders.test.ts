import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, launchChromium, signInPage } from '../support/browser';
import { event, type RawEvent } from '../support/events';
import { allApplied } from '../support/small-day';
import { startTestTower, type TestTower } from '../support/tower';

/**
 * The inventory and order views as a supervisor uses them on a busy day: stock across four locations,
 * three channels, a marketplace listing more than it may sell, orders of the last hours.
 */
let t: TestTower;
let browser: Browser;
let key: string;
const contexts: BrowserContext[] = [];

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

function masterData(): RawEvent[] {
  const at = minutesAgo(24 * 60);
  const item = (sku: string, name: string, unitCost: number, unitPrice: number, safetyStock: number) =>
    event('item.upserted', { sku, name, unitCost, unitPrice, safetyStock }, { source: 'erp', occurredAt: at });
  const location = (locationId: string, name: string, kind: string, region: string, shipsToCustomers: boolean, priority: number) =>
    event('location.upserted', { locationId, name, kind, region, shipsToCustomers, priority }, { source: 'erp', occurredAt: at });
  const channel = (c: string, name: string, kind: string, priority: number, allocationShare: number, allowSplit: boolean, slaHours: number) =>
    event('channel.upserted', { channel: c, name, kind, priority, allocationShare, allowSplit, slaHours }, { source: 'erp', occurredAt: at });
  return [
    item('BOTTLE-STL', 'Steel bottle 750 ml', 4.2, 18, 3),
    item('CAP-NVY', 'Navy cap', 3.1, 15, 0),
    item('HOODIE-GRY-M', 'Grey hoodie M', 14, 49, 1),
    item('MUG-RED', 'Red mug', 2.1, 9.5, 0),
    item('SOCKS-WHT-3P', 'White socks, 3 pairs', 2.4, 12, 0),
    item('TEE-BLK-L', 'Black tee L', 6.5, 19.99, 2),
    item('TEE-BLK-M', 'Black tee M', 6.5, 19.99, 2),
    location('DC-EAST', 'East DC', 'dc', 'east', true, 1),
    location('DC-WEST', 'West DC', 'dc', 'west', true, 2),
    location('STORE-NYC', 'New York store', 'store', 'east', true, 3),
    location('RETURNS-HUB', 'Returns hub', '3pl', 'central', false, 9),
    channel('web', 'Web store', 'webstore', 1, 1, true, 24),
    channel('mkt-a', 'Marketplace A', 'marketplace', 2, 0.5, false, 48),
    channel('pos', 'Stores', 'pos', 3, 0.2, false, 4),
  ];
}

const STOCK: [string, string, number][] = [
  ['TEE-BLK-M', 'DC-EAST', 46], ['TEE-BLK-M', 'DC-WEST', 12], ['TEE-BLK-M', 'STORE-NYC', 6], ['TEE-BLK-M', 'RETURNS-HUB', 5],
  ['TEE-BLK-L', 'DC-EAST', 30], ['TEE-BLK-L', 'DC-WEST', 22],
  ['HOODIE-GRY-M', 'DC-EAST', 9], ['HOODIE-GRY-M', 'DC-WEST', 14], ['HOODIE-GRY-M', 'RETURNS-HUB', 3],
  ['MUG-RED', 'DC-EAST', 4], ['MUG-RED', 'STORE-NYC', 2],
  ['CAP-NVY', 'DC-WEST', 5],
  ['SOCKS-WHT-3P', 'DC-EAST', 80], ['SOCKS-WHT-3P', 'DC-WEST', 64], ['SOCKS-WHT-3P', 'STORE-NYC', 18],
  ['BOTTLE-STL', 'DC-EAST', 15], ['BOTTLE-STL', 'STORE-NYC', 4], ['BOTTLE-STL', 'RETURNS-HUB', 2],
];

type Line = [sku: string, qty: number];
const ORDERS: [orderId: string, channel: string, region: string, minutes: number, lines: Line[]][] = [
  ['W-20481', 'web', 'east', 620, [['TEE-BLK-M', 2], ['MUG-RED', 1]]],
  ['W-20482', 'web', 'west', 540, [['HOODIE-GRY-M', 1]]],
  ['M-88310', 'mkt-a', 'east', 480, [['TEE-BLK-M', 3]]],
  ['W-20483', 'web', 'east', 410, [['SOCKS-WHT-3P', 4], ['BOTTLE-STL', 1]]],
  ['P-5512', 'pos', 'east', 360, [['MUG-RED', 1]]],
  ['W-20484', 'web', 'west', 300, [['TEE-BLK-L', 2], ['CAP-NVY', 1]]],
  ['M-88311', 'mkt-a', 'west', 240, [['HOODIE-GRY-M', 2]]],
  ['W-20485', 'web', 'east', 180, [['TEE-BLK-M', 1], ['TEE-BLK-L', 1], ['SOCKS-WHT-3P', 2]]],
  // More caps than the network holds: part of it waits as a backorder, behind a stockout.
  ['W-20486', 'web', 'west', 120, [['CAP-NVY', 7], ['BOTTLE-STL', 2]]],
  ['M-88312', 'mkt-a', 'east', 90, [['TEE-BLK-M', 4]]],
  ['W-20487', 'web', 'east', 45, [['BOTTLE-STL', 3], ['MUG-RED', 2]]],
  ['W-20488', 'web', 'east', 20, [['TEE-BLK-M', 5]]],
];

function orderEvents(): RawEvent[] {
  return ORDERS.map(([orderId, channel, region, minutes, lines]) => event('order.created', {
    orderId, channel, payment: 'authorized', shipTo: { region, country: 'US' },
    lines: lines.map(([sku, qty]) => ({ sku, qty, unitPrice: 19.99 })),
  }, { source: channel, occurredAt: minutesAgo(minutes) }));
}

beforeAll(async () => {
  t = await startTestTower({ PUSH_INTERVAL_MS: '100' }, { web: true });
  browser = await launchChromium();
  key = await t.createApiKey(['erp', 'wms', 'web', 'mkt-a', 'pos']);
  expect((await t.postEvents(key, masterData())).status).toBe(202);
  await allApplied(t);
  const receipts = STOCK.map(([sku, locationId, qty]) => event('stock.received', { sku, locationId, qty }, { source: 'wms', occurredAt: minutesAgo(23 * 60) }));
  expect((await t.postEvents(key, receipts)).status).toBe(202);
  await allApplied(t);
  expect((await t.postEvents(key, orderEvents())).status).toBe(202);
  await allApplied(t);
  const shipped = [
    event('fulfillment.shipped', { orderId: 'W-20481', locationId: 'DC-EAST', shipmentId: 'SH-7001', lines: [{ sku: 'TEE-BLK-M', qty: 2 }, { sku: 'MUG-RED', qty: 1 }] },
      { source: 'wms', occurredAt: minutesAgo(400) }),
    event('fulfillment.shipped', { orderId: 'W-20482', locationId: 'DC-WEST', shipmentId: 'SH-7002', lines: [{ sku: 'HOODIE-GRY-M', qty: 1 }] },
      { source: 'wms', occurredAt: minutesAgo(350) }),
    // The marketplace still lists last week's numbers: more tees and bottles than it may sell.
    event('channel.stock_snapshot', { channel: 'mkt-a', items: [
      { sku: 'TEE-BLK-M', listedQty: 40 }, { sku: 'TEE-BLK-L', listedQty: 20 }, { sku: 'HOODIE-GRY-M', listedQty: 6 }, { sku: 'BOTTLE-STL', listedQty: 12 },
    ] }, { source: 'mkt-a', occurredAt: minutesAgo(10) }),
    event('channel.stock_snapshot', { channel: 'web', items: [{ sku: 'TEE-BLK-M', listedQty: 50 }, { sku: 'MUG-RED', listedQty: 2 }] },
      { source: 'web', occurredAt: minutesAgo(8) }),
  ];
  expect((await t.postEvents(key, shipped)).status).toBe(202);
  await allApplied(t);
}, 90_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await t?.stop();
});

async function signedIn(): Promise<Page> {
  const user = await t.createUser('viewer');
  const { context, page } = await signInPage(browser, t.url, user, { width: 1440, height: 1000 });
  contexts.push(context);
  return page;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const api = async (path: string): Promise<any> => (await fetch(`${t.url}${path}`, { headers: { cookie: t.adminCookie } })).json();
/** The heat map's table (collapsed, so read as text content): the number, or — without a stock record. */
const cellText = async (page: Page, sku: string, location: string) =>
  ((await page.locator(`[data-testid="heatmap-cell"][data-sku="${sku}"][data-location="${location}"]`).textContent()) ?? '').trim();
const listingRow = (page: Page, sku: string, channel: string) => page.locator(`[data-testid="listing-row"][data-sku="${sku}"][data-channel="${channel}"]`);

describe('the inventory view', () => {
  it('shows the heat map, the exposure of a listed SKU and the explain terms, and refreshes when events apply', async () => {
    const overview = await api('/api/v1/inventory/overview');
    const exposed = overview.listings.find((l: { sku: string; channel: string }) => l.sku === 'TEE-BLK-M' && l.channel === 'mkt-a');
    expect(exposed.exposure).toBeGreaterThan(0);

    const page = await signedIn();
    await page.getByTestId('nav-inventory').click();
    await page.waitForURL(/\/inventory$/);
    const heatmap = page.getByTestId('inventory-heatmap');
    await heatmap.waitFor();
    expect(Number(await heatmap.getAttribute('data-cells'))).toBe(STOCK.length);
    expect(await heatmap.locator('canvas').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('heatmap-cell').count()).toBe(7 * 4);
    expect(await cellText(page, 'CAP-NVY', 'DC-EAST')).toBe('—');
    expect(Number(await cellText(page, 'SOCKS-WHT-3P', 'DC-EAST'))).toBe(overview.cells.find((c: { sku: string; locationId: string }) =>
      c.sku === 'SOCKS-WHT-3P' && c.locationId === 'DC-EAST').available);

    // The exposed listing: flagged with an icon and words, and counted in the summary.
    const row = listingRow(page, 'TEE-BLK-M', 'mkt-a');
    expect(await row.getAttribute('data-exposed')).toBe('true');
    expect(await row.getByTestId('listing-exposure').innerText()).toBe(`oversold by ${exposed.exposure}`);
    expect(await row.locator('svg').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('exposure-summary').innerText()).toContain(`Oversell exposure: ${overview.exposure.units} units`);
    // The most exposed listings come first.
    expect(await page.getByTestId('listing-row').first().getAttribute('data-exposed')).toBe('true');
    // Listed pairs only, until asked for every SKU × channel.
    expect(await page.getByTestId('listing-row').count()).toBe(6);
    await page.getByTestId('include-unlisted').check();
    expect(await page.getByTestId('listing-row').count()).toBe(7 * 3);
    await page.getByTestId('include-unlisted').uncheck();
    // A SKU without sales in the window reads "—"; one selling fast has a time to stockout.
    expect(await page.locator('[data-testid="outlook-row"][data-sku="TEE-BLK-M"] [data-testid="stockout-in"]').innerText()).toMatch(/\d+(\.\d)? (h|d|min)/);

    // A click on a heat-map cell (SOCKS-WHT-3P, the fifth row, at DC-WEST, the second column) explains that SKU.
    const box = (await page.getByTestId('chart-inventory-heatmap').boundingBox())!;
    await page.mouse.click(box.x + box.width * 0.4, box.y + 28 + (box.height - 36) * (4.5 / 7));
    await page.getByTestId('explain-dialog').getByRole('heading', { name: 'Available to sell: SOCKS-WHT-3P' }).waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('explain-dialog').count()).toBe(0);

    // Drill-down: the explain view's terms for that SKU × channel.
    await row.getByTestId('explain-open').click();
    const dialog = page.getByTestId('explain-dialog');
    await dialog.getByTestId('explain-formula').waitFor();
    const explain = await api('/api/v1/inventory/explain?sku=TEE-BLK-M&channel=mkt-a');
    expect(await dialog.getByTestId('explain-formula').innerText()).toContain(explain.formula);
    expect(await dialog.getByTestId('term-ats').innerText()).toBe(String(explain.ats));
    expect(await dialog.getByTestId('term-listed').innerText()).toBe('40');
    expect(await dialog.getByTestId('term-exposure').innerText()).toBe(String(explain.oversellExposure));
    expect(await dialog.getByTestId('explain-location').count()).toBe(explain.locations.length);
    expect(await dialog.locator('[data-testid="explain-location"][data-location="RETURNS-HUB"]').innerText()).toMatch(/no, does not ship/);
    expect(await axeViolations(page)).toEqual([]);
    // Another channel of the same SKU, from inside the dialog.
    await dialog.getByRole('button', { name: 'web', exact: true }).click();
    await expect.poll(() => dialog.getByTestId('explain-formula').innerText()).toContain('ATS on web');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('explain-dialog').count()).toBe(0);

    // Live: a receipt shows up without a reload.
    const before = Number(await cellText(page, 'BOTTLE-STL', 'STORE-NYC'));
    expect((await t.postEvents(key, [event('stock.received', { sku: 'BOTTLE-STL', locationId: 'STORE-NYC', qty: 7 }, { source: 'wms' })])).status).toBe(202);
    await expect.poll(() => cellText(page, 'BOTTLE-STL', 'STORE-NYC'), { timeout: 10_000 }).toBe(String(before + 7));
    // A first receipt at a location adds a cell (mugs have no backorder that would take them at once).
    expect(await cellText(page, 'MUG-RED', 'DC-WEST')).toBe('—');
    expect((await t.postEvents(key, [event('stock.received', { sku: 'MUG-RED', locationId: 'DC-WEST', qty: 3 }, { source: 'wms' })])).status).toBe(202);
    await expect.poll(() => cellText(page, 'MUG-RED', 'DC-WEST'), { timeout: 10_000 }).toBe('3');
    await expect.poll(async () => Number(await heatmap.getAttribute('data-cells'))).toBe(STOCK.length + 1);

    expect(await axeViolations(page)).toEqual([]);
    // No focus ring in the docs' picture (a string: the tests compile without the DOM's types).
    await page.evaluate('document.activeElement?.blur()');
    await page.screenshot({ path: 'docs/screenshots/inventory.png', fullPage: true });
  });

  it('filters by SKU and location through the URL, and explains a SKU picked in the table', async () => {
    const page = await signedIn();
    await page.goto(`${t.url}/inventory`);
    await page.getByTestId('inventory-heatmap').waitFor();
    await page.getByTestId('filter-sku').fill('TEE-');
    await page.getByTestId('filter-location').selectOption('DC-WEST');
    await page.getByTestId('filter-apply').click();
    await page.waitForURL(/\/inventory\?sku=TEE-&location=DC-WEST$/);
    await expect.poll(() => page.getByTestId('heatmap-cell').count()).toBe(2);
    expect(await page.getByTestId('listing-row').evaluateAll((rows) => [...new Set(rows.map((r) => r.getAttribute('data-sku')))].sort()))
      .toEqual(['TEE-BLK-L', 'TEE-BLK-M']);

    // Keyboard: the table's SKU buttons open the explanation of its most exposed channel.
    await page.getByText('Show the heat map as a table').click();
    await page.getByTestId('heatmap-table').getByRole('button', { name: 'TEE-BLK-L' }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByTestId('explain-dialog');
    await expect.poll(() => dialog.getByTestId('explain-formula').innerText()).toContain('ATS on mkt-a');
    await page.keyboard.press('Escape');

    await page.getByTestId('filter-clear').click();
    await page.waitForURL(/\/inventory$/);
    await expect.poll(() => page.getByTestId('heatmap-cell').count()).toBe(7 * 4);
  });
});

describe('the order views', () => {
  it('finds an order by id prefix and by SKU, and shows its lines and timeline live', async () => {
    const page = await signedIn();
    await page.getByTestId('nav-orders').click();
    await page.waitForURL(/\/orders$/);
    const ids = () => page.getByTestId('order-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-order-id')));
    await expect.poll(ids).toEqual(ORDERS.map(([id]) => id).reverse());
    expect(await axeViolations(page)).toEqual([]);

    await page.getByTestId('search-q').fill('W-2048');
    await page.getByTestId('search-submit').click();
    await page.waitForURL(/\/orders\?q=W-2048$/);
    await expect.poll(ids).toEqual(['W-20488', 'W-20487', 'W-20486', 'W-20485', 'W-20484', 'W-20483', 'W-20482', 'W-20481']);

    await page.getByTestId('search-q').fill('');
    await page.getByTestId('search-sku').fill('CAP-NVY');
    await page.getByTestId('search-submit').click();
    await page.waitForURL(/\/orders\?sku=CAP-NVY$/);
    await expect.poll(ids).toEqual(['W-20486', 'W-20484']);

    // A bad value is named at the field and not sent.
    await page.getByTestId('search-channel').fill('web store');
    await page.getByTestId('search-submit').click();
    expect(await page.getByTestId('search-channel').getAttribute('aria-invalid')).toBe('true');
    expect(page.url()).toMatch(/\/orders\?sku=CAP-NVY$/);
    await page.getByTestId('search-channel').fill('');

    await page.locator('[data-testid="order-row"][data-order-id="W-20486"]').getByTestId('order-link').click();
    await page.waitForURL(/\/orders\/W-20486$/);
    const panel = page.getByTestId('order-panel');
    await panel.waitFor();
    const order = await api('/api/v1/orders/W-20486');
    expect(await panel.getByTestId('order-status').innerText()).toBe(order.status.replace(/_/g, ' '));
    const cap = order.lines.find((l: { sku: string }) => l.sku === 'CAP-NVY');
    expect(cap.backordered).toBeGreaterThan(0);
    expect(await panel.getByTestId('order-line').count()).toBe(2);
    const kinds = () => panel.getByTestId('timeline-entry').evaluateAll((rows) => rows.map((r) => `${r.getAttribute('data-kind')}:${r.getAttribute('data-type')}`));
    expect(await kinds()).toEqual(order.timeline.map((e: { kind: string; type: string }) => `${e.kind}:${e.type}`));
    expect(await kinds()).toContain('exception:stockout');
    const stockout = order.timeline.find((e: { type: string }) => e.type === 'stockout');
    const stockoutLink = panel.locator('[data-testid="timeline-entry"][data-type="stockout"] [data-testid="timeline-exception-link"]');
    expect(await stockoutLink.getAttribute('href')).toBe(`/exceptions?status=all&orderId=W-20486&open=${stockout.id}`);

    // Live: the shipment of what was reserved appears in the timeline and the shipments.
    const reserved = order.lines.flatMap((l: { sku: string; allocations: { locationId: string; qty: number }[] }) =>
      l.allocations.map((a) => ({ sku: l.sku, locationId: a.locationId, qty: a.qty })));
    const from = reserved[0].locationId;
    expect((await t.postEvents(key, [event('fulfillment.shipped', {
      orderId: 'W-20486', locationId: from, shipmentId: 'SH-7003',
      lines: reserved.filter((r: { locationId: string }) => r.locationId === from).map(({ sku, qty }: { sku: string; qty: number }) => ({ sku, qty })),
    }, { source: 'wms' })])).status).toBe(202);
    await expect.poll(kinds, { timeout: 10_000 }).toContain('event:fulfillment.shipped');
    await expect.poll(() => panel.getByTestId('order-shipment').count()).toBe(1);
    expect(await panel.getByTestId('order-status').innerText()).toMatch(/shipped/);

    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: 'docs/screenshots/orders.png', fullPage: true });

    // From the timeline to triage, and from triage's order panel back to the order.
    await stockoutLink.click();
    await page.waitForURL(/\/exceptions\?/);
    const pane = page.getByTestId('exception-detail');
    await pane.getByTestId('order-page-link').click();
    await page.waitForURL(/\/orders\/W-20486$/);
    await page.getByTestId('order-panel').waitFor();
  });

  it('pages with Load more and shows a not-yet-known order as such', async () => {
    const page = await signedIn();
    // A page size of 50: add enough orders for a second page.
    const many = Array.from({ length: 45 }, (_, i) => event('order.created', {
      orderId: `B-${String(i).padStart(3, '0')}`, channel: 'pos', payment: 'authorized', shipTo: { region: 'east' },
      lines: [{ sku: 'SOCKS-WHT-3P', qty: 1, unitPrice: 12 }],
    }, { source: 'pos', occurredAt: minutesAgo(600 + i) }));
    expect((await t.postEvents(key, many)).status).toBe(202);
    await allApplied(t);
    await page.goto(`${t.url}/orders`);
    await expect.poll(() => page.getByTestId('order-row').count()).toBe(50);
    await page.getByTestId('load-more').click();
    await expect.poll(() => page.getByTestId('order-row').count()).toBe(ORDERS.length + 45);
    expect(await page.getByTestId('load-more').count()).toBe(0);

    await page.goto(`${t.url}/orders/NOT-YET-1`);
    await page.getByTestId('order-not-found').waitFor();
  });
});
