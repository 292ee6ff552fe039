import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, launchChromium, signInPage } from '../support/browser';
import { event, masterData } from '../support/events';
import { insertException } from '../support/exceptions';
import { allApplied } from '../support/small-day';
import { startTestTower, type TestTower } from '../support/tower';
import { waitFor } from '../support/wait';

/** The triage page as supervisors on a peak day use it: keyboard first, decisions that act, live. */
let t: TestTower;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  t = await startTestTower({ PUSH_INTERVAL_MS: '100' }, { web: true });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

async function signedIn(role: 'operator' | 'supervisor'): Promise<{ page: Page; email: string }> {
  const user = await t.createUser(role);
  const { context, page } = await signInPage(browser, t.url, user, { width: 1440, height: 900 });
  contexts.push(context);
  return { page, email: user.email };
}

const row = (page: Page, id: string) => page.locator(`[data-testid="exception-row"][data-id="${id}"]`);

async function openQueue(page: Page, query = ''): Promise<void> {
  await page.goto(`${t.url}/exceptions${query}`);
  await expect.poll(() => page.getByTestId('connection-status').innerText(), { timeout: 10_000 }).toContain('Connected');
  await page.getByTestId('exception-row').first().waitFor();
}

describe('the exceptions page', () => {
  it('lets an operator claim and resolve with the keyboard only', async () => {
    await t.db.sql`DELETE FROM exceptions`;
    const first = await insertException(t.db.sql, { type: 'short_pick', dueAt: new Date(Date.now() + 10 * 60_000) });
    const second = await insertException(t.db.sql, { type: 'short_pick', dueAt: new Date(Date.now() + 50 * 60_000) });
    const { page, email } = await signedIn('operator');
    await openQueue(page);
    // Oldest due first; the first is amber (under 15 minutes), the second green.
    expect(await page.getByTestId('exception-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')))).toEqual([first, second]);
    expect(await row(page, first).getByTestId('sla-countdown').getAttribute('data-band')).toBe('warn');
    expect(await row(page, second).getByTestId('sla-countdown').getAttribute('data-band')).toBe('ok');

    // The cursor starts on the first row; j and k move it.
    await expect.poll(() => row(page, first).getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('j');
    await expect.poll(() => row(page, second).getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('k');
    await expect.poll(() => row(page, first).getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('a');
    await expect.poll(() => row(page, first).getAttribute('data-assignee')).toBe(email);
    expect(await row(page, first).getAttribute('data-status')).toBe('acknowledged');

    await page.keyboard.press('r');
    await page.getByTestId('resolve-dialog').waitFor();
    await page.keyboard.type('picked from the overflow bin');
    await page.keyboard.press('Enter');
    await expect.poll(() => row(page, first).count(), { timeout: 5000 }).toBe(0);
    const [stored] = await t.db.sql`SELECT status, resolved_by, resolution_code, resolution_note FROM exceptions WHERE id = ${first}`;
    expect(stored).toMatchObject({ status: 'resolved', resolved_by: email });
    expect(stored!.resolution_code).toBeTruthy();
    // The focus moved on to the next row, ready for the next key.
    await expect.poll(() => row(page, second).getAttribute('aria-selected')).toBe('true');

    await page.keyboard.press('?');
    await page.getByTestId('help-overlay').waitFor();
    expect(await page.getByTestId('help-overlay').innerText()).toMatch(/acknowledge/i);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('help-overlay').count()).toBe(0);
  });

  it('lets a supervisor approve a fraud hold, and the order moves to allocated', async () => {
    const key = await t.createApiKey(['web']);
    expect((await t.postEvents(key, [...masterData(), event('stock.received', { locationId: 'DC-EAST', sku: 'TEE-BLK-M', qty: 5 })])).status).toBe(202);
    await allApplied(t);
    expect((await t.postEvents(key, [event('order.created', {
      orderId: 'FRAUD-7', channel: 'web', lines: [{ sku: 'TEE-BLK-M', qty: 2, unitPrice: 19.99 }], shipTo: { region: 'east' }, payment: 'authorized', fraudScore: 0.97,
    })])).status).toBe(202);
    await allApplied(t);
    const [held] = await t.db.sql`SELECT status FROM orders WHERE order_id = 'FRAUD-7'`;
    expect(held!.status).toBe('on_hold');

    const { page } = await signedIn('supervisor');
    await openQueue(page, '?type=fraud_review');
    const [e] = await t.db.sql`SELECT id FROM exceptions WHERE type = 'fraud_review' AND order_id = 'FRAUD-7'`;
    await row(page, String(e!.id)).getByTestId('exception-open').click();
    const detail = page.getByTestId('exception-detail');
    await detail.waitFor();
    expect(await detail.getByTestId('order-status').innerText()).toMatch(/on.hold/i);
    await detail.getByTestId('action-approve').click();
    await page.getByTestId('resolve-dialog').waitFor();
    await page.getByTestId('resolve-confirm').click();
    await expect.poll(() => page.getByTestId('action-outcome').innerText(), { timeout: 10_000 }).toMatch(/applied/i);
    await waitFor('the order allocated', async () => (await t.db.sql`SELECT status FROM orders WHERE order_id = 'FRAUD-7'`)[0]!.status === 'allocated');
    const order = (await (await fetch(`${t.url}/api/v1/orders/FRAUD-7`, { headers: { cookie: t.adminCookie } })).json()) as { status: string; held: boolean; lines: { reserved: number }[] };
    expect(order).toMatchObject({ status: 'allocated', held: false });
    expect(order.lines[0]).toMatchObject({ reserved: 2 });
  });

  it('shows a second browser a claim as it happens', async () => {
    await t.db.sql`DELETE FROM exceptions`;
    const id = await insertException(t.db.sql, { type: 'stockout' });
    const alice = await signedIn('operator');
    const bob = await signedIn('operator');
    await openQueue(alice.page);
    await openQueue(bob.page);
    expect(await row(bob.page, id).getAttribute('data-assignee')).toBeFalsy();

    await alice.page.keyboard.press('a');
    const claimed = Date.now();
    await expect.poll(() => row(bob.page, id).getAttribute('data-assignee'), { timeout: 5000 }).toBe(alice.email);
    expect(Date.now() - claimed).toBeLessThan(2000);
    expect(await row(bob.page, id).getAttribute('data-status')).toBe('acknowledged');
    expect(await row(bob.page, id).getByTestId('row-assignee').innerText()).toContain(alice.email);

    // Bob tries to claim it too: the page says who has it.
    await bob.page.keyboard.press('a');
    await expect.poll(() => bob.page.getByTestId('action-error').innerText()).toContain(alice.email);
  });

  it('has no accessibility violations that axe-core can find, with the detail pane open', async () => {
    // A realistic queue for the screenshot in the docs: overdue (red), due soon (amber), later (green).
    await t.db.sql`DELETE FROM exceptions`;
    const min = 60_000;
    const now = Date.now();
    await insertException(t.db.sql, { type: 'payment_failed', severity: 'high', status: 'escalated', subject: 'order:W-2038', orderId: 'W-2038', channel: 'web', openedAt: new Date(now - 250 * min), dueAt: new Date(now - 10 * min) });
    await insertException(t.db.sql, { type: 'short_pick', subject: 'order:W-2041:TEE-BLK-M@DC-EAST', orderId: 'W-2041', channel: 'web', openedAt: new Date(now - 52 * min), dueAt: new Date(now + 8 * min) });
    const stockout = await insertException(t.db.sql, { type: 'stockout', subject: 'sku:TEE-BLK-M', channel: 'web', openedAt: new Date(now - 20 * min), dueAt: new Date(now + 40 * min) });
    await t.db.sql`UPDATE exceptions SET sku = 'TEE-BLK-M', occurrences = 7 WHERE id = ${stockout}`;
    await insertException(t.db.sql, { type: 'oversell_exposure', severity: 'critical', subject: 'channel:mkt-a:MUG-RED', channel: 'mkt-a', openedAt: new Date(now - 3 * min), dueAt: new Date(now + 12 * min) });
    await insertException(t.db.sql, { type: 'split_shipment', severity: 'low', subject: 'order:M-881', orderId: 'M-881', channel: 'mkt-a', openedAt: new Date(now - 30 * min), dueAt: new Date(now + 1410 * min) });
    const { page } = await signedIn('supervisor');
    await openQueue(page);
    await row(page, stockout).getByTestId('exception-open').click();
    await page.getByTestId('exception-detail').waitFor();
    const violations = await axeViolations(page);
    expect(violations).toEqual([]);
    await page.screenshot({ path: 'docs/screenshots/exceptions.png' });
  });
});
