import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, launchChromium } from '../support/browser';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { TEST_REDIS_URL } from '../support/env';
import { insertException } from '../support/exceptions';
import { freePort, spawnTower, stopTowers, type TowerProcess } from '../support/processes';
import { EventSimulator } from '../support/simulated-events';
import { dropRedisPrefix, uniquePrefix } from '../support/tower';
import { waitFor } from '../support/wait';

/**
 * The war room as a wall screen meets it: opened by a display link (no sign-in), boards rotating,
 * held on a critical exception until someone acknowledges it, stale and recovering when the tower
 * goes away and comes back, and shut out when the link is revoked. The tower is its own process
 * (`npm start`) so that it can really go away.
 */
const ADMIN = { email: 'ops@example.com', password: 'correct-horse-battery' };
const SOURCE = 'sim';
const prefix = uniquePrefix();
let db: TestDatabase;
let env: Record<string, string>;
let tower: TowerProcess;
let url: string;
let browser: Browser;
let screen: BrowserContext;
let page: Page;
let adminCookie: string;
let apiKey: string;
let link: { id: string; name: string; url: string; token: string };
const sim = new EventSimulator({ source: SOURCE, runId: `wr${Date.now().toString(36)}` });

async function startTower(): Promise<void> {
  tower = spawnTower(env);
  await waitFor('the tower to listen', () => tower.output().includes('control tower listening'), 90_000, 100).catch((err) => {
    throw new Error(`${err.message}\n${tower.output()}`);
  });
}

async function asAdmin(method: string, route: string, body?: unknown): Promise<Response> {
  return fetch(`${url}${route}`, {
    method,
    headers: { cookie: adminCookie, origin: url, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function post(events: unknown[]): Promise<void> {
  for (let i = 0; i < events.length; i += 1000) {
    const res = await fetch(`${url}/api/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify(events.slice(i, i + 1000)),
    });
    expect(res.status).toBe(202);
  }
}

const allApplied = () =>
  waitFor('every event applied', async () => (await db.sql`SELECT count(*)::int AS n FROM events WHERE applied_at IS NULL`)[0]!.n === 0, 90_000);

/** The browser globals the latency probe uses (the tests compile without the DOM library). */
interface PageGlobals {
  changedAt: number | null;
  document: { querySelector(selector: string): { textContent: string | null } | null };
  MutationObserver: new (callback: () => void) => { observe(target: unknown, options: object): void; disconnect(): void };
  requestAnimationFrame(callback: () => void): number;
  getComputedStyle(element: unknown): { fontSize: string };
}

const board = () => page.getByTestId('war-room').getAttribute('data-board');
const tileValue = (testid: string) => page.getByTestId(testid).getByTestId('tile-value').innerText();
const connected = () => expect.poll(() => page.getByTestId('connection-status').innerText(), { timeout: 15_000 }).toContain('Connected');

async function openWarRoom(query = ''): Promise<void> {
  await page.goto(`${url}/war-room${query}`);
  await page.getByTestId('war-room').waitFor();
  await connected();
}

beforeAll(async () => {
  db = await createTestDatabase();
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  env = {
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: db.url,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: prefix,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    // Time rules would act on the test's exceptions mid-test.
    RULES_INTERVAL_MS: '3600000',
  };
  await startTower();
  const login = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN),
  });
  adminCookie = login.headers.get('set-cookie')!.split(';')[0]!;
  apiKey = ((await (await asAdmin('POST', '/api/v1/api-keys', { name: 'simulator', sources: [SOURCE] })).json()) as { key: string }).key;
  const created = await asAdmin('POST', '/api/v1/display-links', { name: 'Ops floor wall' });
  expect(created.status).toBe(201);
  link = (await created.json()) as typeof link;

  await post(sim.masterData(new Date(Date.now() - 2 * 3_600_000)));
  await allApplied();
  browser = await launchChromium();
  screen = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  page = await screen.newPage();
}, 150_000);

afterAll(async () => {
  await browser?.close();
  if (tower) await stopTowers([tower]);
  await dropRedisPrefix(TEST_REDIS_URL, prefix);
  await db?.drop();
});

describe('a wall screen with a display link', () => {
  it('opens the war room without signing in, in kiosk mode, and hides the pointer when it rests', async () => {
    await page.goto(link.url);
    await page.waitForURL(/\/war-room$/);
    await page.getByTestId('war-room').waitFor();
    await connected();
    expect(await page.getByTestId('war-room-who').innerText()).toBe('Display: Ops floor wall');
    expect(await page.getByTestId('war-room').getAttribute('data-kiosk')).toBe('true');
    // No app chrome: no navigation, no sign-out.
    expect(await page.getByRole('navigation').count()).toBe(0);
    expect(await page.getByRole('button', { name: /sign out/i }).count()).toBe(0);
    expect(await board()).toBe('pipeline');

    await page.mouse.move(200, 200);
    await page.mouse.move(260, 240);
    expect(await page.getByTestId('war-room').getAttribute('class')).not.toContain('cursor-hidden');
    await expect.poll(() => page.getByTestId('war-room').getAttribute('class'), { timeout: 5000 }).toContain('cursor-hidden');
    await page.mouse.move(300, 300);
    await expect.poll(() => page.getByTestId('war-room').getAttribute('class')).not.toContain('cursor-hidden');
    // A display ignores the keyboard: nobody stands at a wall screen.
    await page.keyboard.press('ArrowRight');
    expect(await board()).toBe('pipeline');
    // The rest of the dashboard is for people: a display is sent back to the war room.
    await page.goto(`${url}/exceptions`);
    await page.waitForURL(/\/war-room$/);
  });

  it('scales its type with the screen: twice as large at 4K as at 1080p', async () => {
    const valueSize = async () => {
      await page.getByTestId('wall-events-per-second').waitFor();
      return page.getByTestId('wall-events-per-second').getByTestId('tile-value').evaluate((el) => parseFloat((globalThis as unknown as PageGlobals).getComputedStyle(el).fontSize));
    };
    await openWarRoom('?boards=pipeline&lagHold=off');
    const hd = await valueSize();
    await page.setViewportSize({ width: 3840, height: 2160 });
    const uhd = await valueSize();
    await page.setViewportSize({ width: 1920, height: 1080 });
    expect(hd).toBeGreaterThanOrEqual(60);
    expect(uhd / hd).toBeCloseTo(2, 1);
  });

  it('fills the tiles with data and updates them live; prints the event-to-screen latency', async () => {
    await post(sim.history(new Date(), 60, 40));
    await allApplied();
    await openWarRoom('?boards=orders&dwell=3600&lagHold=off');
    await expect.poll(() => tileValue('wall-orders-hour'), { timeout: 10_000 }).not.toBe('—');
    expect(await page.getByTestId('wall-channel-row').count()).toBeGreaterThanOrEqual(3);
    expect(await page.getByTestId('wall-orders-per-min').getByTestId('tile-as-of').innerText()).toMatch(/^as of \d\d:\d\d:\d\d · \d+s ago$/);

    // From the POST to the new value painted on the page, measured in the page (same machine clock).
    const latencies: number[] = [];
    for (let i = 0; i < 6; i++) {
      const before = await tileValue('wall-orders-hour');
      await page.evaluate((previous) => {
        const g = globalThis as unknown as PageGlobals;
        g.changedAt = null;
        const el = g.document.querySelector('[data-testid="wall-orders-hour"] [data-testid="tile-value"]')!;
        const observer = new g.MutationObserver(() => {
          if (el.textContent?.trim() === previous || g.changedAt !== null) return;
          observer.disconnect();
          // The next frame: when the new value is painted, not merely in the DOM.
          g.requestAnimationFrame(() => (g.changedAt = Date.now()));
        });
        observer.observe(el, { childList: true, subtree: true, characterData: true });
      }, before);
      const sentAt = Date.now();
      await post(Array.from({ length: 5 }, () => sim.order(new Date())));
      const changedAt = await waitFor('the new value on the screen', () => page.evaluate(() => (globalThis as unknown as PageGlobals).changedAt), 10_000, 10);
      latencies.push(changedAt - sentAt);
      await new Promise((r) => setTimeout(r, 300));
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    console.log(`[war-room] event-to-screen latency over ${latencies.length} posts (ms): ${latencies.join(', ')}; median ${sorted[Math.floor(sorted.length / 2)]}, max ${sorted.at(-1)}`);
    expect(sorted.at(-1)).toBeLessThan(5000);
  }, 150_000);

  it('shows the live KPIs on their board', async () => {
    await openWarRoom('?boards=kpis&dwell=3600&lagHold=off');
    await expect.poll(() => tileValue('wall-kpi-at-risk'), { timeout: 10_000 }).toMatch(/^\d/);
    expect(await page.getByTestId('wall-kpi-channel').count()).toBeGreaterThanOrEqual(3);
    expect(await page.getByTestId('wall-kpi-fill-rate').getByTestId('tile-as-of').innerText()).toMatch(/^as of \d\d:\d\d:\d\d/);
  });

  it('rotates the boards after each dwell, showing the dwell\'s progress', async () => {
    await openWarRoom('?dwell=5&lagHold=off');
    expect(await board()).toBe('pipeline');
    const progress = page.getByTestId('dwell-progress');
    await expect.poll(async () => Number(await progress.getAttribute('aria-valuenow')), { timeout: 4000 }).toBeGreaterThan(20);
    expect(await page.getByTestId('rotation-status').innerText()).toMatch(/Next: Orders in \d s/);
    await expect.poll(board, { timeout: 8000 }).toBe('orders');
    await expect.poll(board, { timeout: 8000 }).toBe('exceptions');
    await expect.poll(board, { timeout: 8000 }).toBe('kpis');
    await expect.poll(board, { timeout: 8000 }).toBe('pipeline');
  }, 50_000);

  it('stops on the exceptions board for an unacknowledged critical, and resumes once it is acknowledged', async () => {
    await openWarRoom('?boards=pipeline,orders&dwell=5&lagHold=off');
    const id = await insertException(db.sql, {
      type: 'oversell_exposure', severity: 'critical', subject: 'sku:SKU-007@mkt-a', channel: 'mkt-a', dueAt: new Date(Date.now() + 15 * 60_000),
    });
    await expect.poll(board, { timeout: 5000 }).toBe('exceptions');
    const banner = page.getByTestId('hold-banner');
    expect(await banner.getAttribute('data-key')).toBe(`exception:${id}`);
    expect(await banner.innerText()).toMatch(/Rotation paused on Exceptions: Critical oversell exposure \(sku:SKU-007@mkt-a\) not acknowledged\. It resumes once acknowledged/);
    expect(await page.getByTestId('rotation-status').getAttribute('data-held')).toBe('true');
    expect(await page.locator(`[data-testid="wall-critical"][data-id="${id}"]`).innerText()).toMatch(/Not acknowledged/);
    expect(await axeViolations(page)).toEqual([]);

    // Well past a dwell: still held.
    await page.waitForTimeout(6500);
    expect(await board()).toBe('exceptions');

    const ack = await asAdmin('POST', `/api/v1/exceptions/${id}/ack`, {});
    expect(ack.status).toBe(200);
    await expect.poll(() => banner.count(), { timeout: 5000 }).toBe(0);
    expect(await page.locator(`[data-testid="wall-critical"][data-id="${id}"]`).getAttribute('data-status')).toBe('acknowledged');
    await expect.poll(board, { timeout: 8000 }).not.toBe('exceptions');
    const next = await board();
    await expect.poll(board, { timeout: 8000 }).not.toBe(next);
  }, 60_000);

  it('has no accessibility violations that axe-core can find on any board', async () => {
    for (const b of ['pipeline', 'orders', 'exceptions', 'kpis']) {
      await openWarRoom(`?boards=${b}&dwell=3600&lagHold=off`);
      expect(await board()).toBe(b);
      expect(await axeViolations(page), b).toEqual([]);
    }
  }, 60_000);

  it('takes the README screenshots at 1920×1080 with realistic data', async () => {
    const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);
    for (const [type, severity, subject, opened, due] of [
      ['stockout', 'high', 'sku:SKU-004@DC-WEST', 22, 60], ['short_pick', 'high', 'order:SO-88120', 41, 60], ['payment_failed', 'medium', 'order:SO-88131', 19, 240],
      ['sla_at_risk', 'high', 'order:SO-87990', 35, 50], ['split_shipment', 'low', 'order:SO-88002', 27, 1440], ['stockout', 'high', 'sku:SKU-011@DC-EAST', 70, 60],
    ] as const) {
      await insertException(db.sql, { type, severity, subject, openedAt: minutesAgo(opened), dueAt: new Date(minutesAgo(opened).getTime() + due * 60_000) });
    }
    const stream = setInterval(() => void post(sim.next(2, new Date())).catch(() => {}), 500);
    try {
      await openWarRoom('?boards=orders&dwell=3600&lagHold=off');
      await page.waitForTimeout(4000);
      await page.screenshot({ path: path.resolve('docs/screenshots/war-room.png') });
      await openWarRoom('?boards=pipeline,orders&dwell=3600&lagHold=off');
      await insertException(db.sql, { type: 'feed_stale', severity: 'critical', subject: 'source:pos', openedAt: minutesAgo(4), dueAt: new Date(minutesAgo(4).getTime() + 15 * 60_000) });
      await expect.poll(board, { timeout: 5000 }).toBe('exceptions');
      await page.waitForTimeout(1000);
      await page.screenshot({ path: path.resolve('docs/screenshots/war-room-hold.png') });
    } finally {
      clearInterval(stream);
    }
    await db.sql`UPDATE exceptions SET status = 'acknowledged', acknowledged_at = now() WHERE severity = 'critical' AND status = 'open'`;
  }, 60_000);

  it('marks every tile stale and shows a banner when the tower goes away, and recovers when it is back', async () => {
    await openWarRoom('?boards=orders&dwell=3600&lagHold=off');
    await expect.poll(() => page.getByTestId('hold-banner').count(), { timeout: 5000 }).toBe(0);
    const value = await tileValue('wall-orders-hour');
    tower.child.kill('SIGTERM');
    expect(await tower.exited).toBe(0);

    const banner = page.getByTestId('connection-banner');
    await banner.waitFor({ timeout: 10_000 });
    expect(await banner.innerText()).toMatch(/Connection to the tower lost/);
    const tiles = page.locator('[data-testid^="wall-"][data-stale]');
    await expect.poll(() => page.locator('[data-testid^="wall-"][data-stale="true"]').count(), { timeout: 10_000 }).toBe(await tiles.count());
    expect(await page.getByTestId('wall-orders-hour').getByTestId('stale-badge').innerText()).toMatch(/stale/i);
    expect(await page.getByTestId('wall-orders-hour').getByTestId('tile-as-of').innerText()).toMatch(/not updating for/);
    // The last value stays on the screen.
    expect(await tileValue('wall-orders-hour')).toBe(value);

    await startTower();
    await expect.poll(() => banner.count(), { timeout: 30_000 }).toBe(0);
    await connected();
    await expect.poll(() => page.locator('[data-testid^="wall-"][data-stale="true"]').count(), { timeout: 10_000 }).toBe(0);
    await post(Array.from({ length: 5 }, () => sim.order(new Date())));
    await expect.poll(() => tileValue('wall-orders-hour'), { timeout: 10_000 }).not.toBe(value);
  }, 120_000);

  it('holds on the pipeline board while the lag p99 is over the threshold', async () => {
    // Quiet first, so that the lag of the last minute is this test's alone.
    await allApplied();
    await openWarRoom('?boards=orders,exceptions&dwell=3600&lagHold=2');
    // Whatever lagged earlier (a loaded machine) leaves the 60-second window first.
    await expect.poll(() => page.getByTestId('hold-banner').count(), { timeout: 70_000 }).toBe(0);
    // An order for a SKU the tower does not know yet waits (deferred) until the SKU arrives: its lag is that wait.
    const late = { ...sim.order(new Date()), data: { ...sim.order(new Date()).data, lines: [{ sku: 'LATE-SKU', qty: 1, unitPrice: 5 }] } };
    await post([late]);
    await new Promise((r) => setTimeout(r, 3_000));
    await post([{ ...late, id: `${late.id}-item`, type: 'item.upserted', data: { sku: 'LATE-SKU', name: 'Late item', unitCost: 1, unitPrice: 5, safetyStock: 0 } }]);
    await expect.poll(board, { timeout: 30_000 }).toBe('pipeline');
    expect(await page.getByTestId('hold-reason').innerText()).toMatch(/^Pipeline lag p99 [\d.,]+ (s|ms|min), over 2 s\.$/);
    expect(await page.getByTestId('wall-lag-p99').getByTestId('tile-alert').innerText()).toMatch(/over 2 s/);
  }, 120_000);

  it('is shut out at once when the link is revoked', async () => {
    await openWarRoom('?lagHold=off');
    const revoked = await asAdmin('DELETE', `/api/v1/display-links/${link.id}`);
    expect(revoked.status).toBe(204);
    await page.getByTestId('display-ended').waitFor({ timeout: 5000 });
    expect(await page.getByTestId('display-ended').innerText()).toMatch(/no longer valid/);
    await page.goto(link.url);
    expect(await page.locator('body').innerText()).toMatch(/not valid/);
    await page.goto(`${url}/war-room`);
    await page.waitForURL(/\/login/);
  }, 30_000);
});

describe('a signed-in user', () => {
  it('an admin creates a display link on the admin page, sees its URL once, and revokes it', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const p = await context.newPage();
    await p.goto(`${url}/login?next=/admin`);
    await p.getByLabel('Email').fill(ADMIN.email);
    await p.getByLabel('Password').fill(ADMIN.password);
    await p.getByRole('button', { name: /sign in/i }).click();
    await p.waitForURL(/\/admin$/);
    await p.getByLabel('Screen', { exact: true }).fill('Warehouse office');
    await p.getByRole('button', { name: 'Create link' }).click();
    const shown = await p.locator('#new-link-value').inputValue();
    expect(shown).toMatch(new RegExp(`^${url}/display/[A-Za-z0-9_-]{43}$`));
    expect(await axeViolations(p)).toEqual([]);
    await p.getByRole('button', { name: 'Done' }).click();
    expect(await p.locator('#new-link-value').count()).toBe(0);
    const row = p.getByTestId('display-link-row').filter({ hasText: 'Warehouse office' });
    expect(await row.innerText()).toMatch(/Active/);

    // The URL works on a screen with no session.
    const wall = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    const w = await wall.newPage();
    await w.goto(shown);
    await w.getByTestId('war-room').waitFor();
    expect(await w.getByTestId('war-room-who').innerText()).toBe('Display: Warehouse office');

    await row.getByRole('button', { name: 'Revoke Warehouse office' }).click();
    await row.getByRole('button', { name: /Confirm revoke/ }).click();
    await expect.poll(() => row.innerText()).toMatch(/Revoked/);
    await w.getByTestId('display-ended').waitFor({ timeout: 5000 });
    await wall.close();
    await context.close();
  }, 40_000);

  it('reaches the war room from the header, steps through boards with the keyboard, and may leave kiosk mode', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const p = await context.newPage();
    await p.goto(`${url}/login`);
    await p.getByLabel('Email').fill(ADMIN.email);
    await p.getByLabel('Password').fill(ADMIN.password);
    await p.getByRole('button', { name: /sign in/i }).click();
    await p.waitForURL((u) => !u.pathname.startsWith('/login'));
    await p.getByRole('link', { name: 'War room' }).click();
    await p.waitForURL(/\/war-room$/);
    const room = p.getByTestId('war-room');
    await room.waitFor();
    expect(await room.getAttribute('data-kiosk')).toBe('true');
    expect(await room.getAttribute('data-board')).toBe('pipeline');
    await p.keyboard.press('ArrowRight');
    expect(await room.getAttribute('data-board')).toBe('orders');
    await p.keyboard.press('ArrowLeft');
    await p.keyboard.press('ArrowLeft');
    expect(await room.getAttribute('data-board')).toBe('kpis');

    await p.goto(`${url}/war-room?kiosk=0`);
    await p.getByTestId('war-room').waitFor();
    expect(await p.getByTestId('war-room').getAttribute('data-kiosk')).toBe('false');
    await p.getByRole('link', { name: 'Back to the overview' }).click();
    await p.waitForURL((u) => u.pathname === '/');
    await context.close();
  }, 40_000);
});
