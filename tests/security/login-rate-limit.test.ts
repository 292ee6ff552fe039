import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestTower, type TestTower } from '../support/tower';
import { adminCreateUser, login, uniqueEmail } from './security-support';

/**
 * Sign-in rate limit with LOGIN_MAX_ATTEMPTS=3: per email address (3) and per client address (4 x 3).
 * The tower trusts X-Forwarded-For from loopback (its reverse proxy), so each test signs in from an
 * address of its own and the tests do not share the per-address counter.
 */

let t: TestTower;

beforeAll(async () => {
  t = await startTestTower({ LOGIN_MAX_ATTEMPTS: '3' });
});

afterAll(async () => {
  await t?.stop();
});

const from = (ip: string) => ({ 'x-forwarded-for': ip });

function expect429(res: Awaited<ReturnType<typeof login>>) {
  expect(res.status).toBe(429);
  expect(res.body.error.code).toBe('rate_limited');
  expect(res.setCookie).toBeNull();
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(t.config.LOGIN_WINDOW_SECONDS);
}

it('after 3 failures for an email, the 4th attempt is refused with 429 and Retry-After, even with the right password', async () => {
  const u = await adminCreateUser(t, 'operator');
  for (let i = 0; i < 3; i++) {
    const res = await login(t, u.email, 'wrong-password-123', from('10.0.0.1'));
    expect(res.status).toBe(401);
  }
  expect429(await login(t, u.email, u.password, from('10.0.0.1')));
  // The limit is on the address being guessed, whatever the client address or the case of the email.
  expect429(await login(t, u.email.toUpperCase(), u.password, from('10.0.0.2')));
});

it('limits guesses at an unknown email the same way (no hint whether the account exists)', async () => {
  const email = uniqueEmail('ghost');
  for (let i = 0; i < 3; i++) expect((await login(t, email, 'whatever-password', from('10.0.1.1'))).status).toBe(401);
  expect429(await login(t, email, 'whatever-password', from('10.0.1.1')));
});

it('does not hold back other accounts while one is locked', async () => {
  const locked = await adminCreateUser(t, 'viewer');
  const other = await adminCreateUser(t, 'viewer');
  for (let i = 0; i < 3; i++) await login(t, locked.email, 'wrong-password-123', from('10.0.2.1'));
  expect429(await login(t, locked.email, locked.password, from('10.0.2.1')));
  const res = await login(t, other.email, other.password, from('10.0.2.1'));
  expect(res.status).toBe(200);
  expect(res.cookie).toMatch(/^tower_session=/);
});

it('a successful sign-in resets the count for that email', async () => {
  const u = await adminCreateUser(t, 'viewer');
  for (let i = 0; i < 2; i++) expect((await login(t, u.email, 'wrong-password-123', from('10.0.3.1'))).status).toBe(401);
  expect((await login(t, u.email, u.password, from('10.0.3.1'))).status).toBe(200);
  for (let i = 0; i < 2; i++) expect((await login(t, u.email, 'wrong-password-123', from('10.0.3.1'))).status).toBe(401);
  expect((await login(t, u.email, u.password, from('10.0.3.1'))).status).toBe(200);
});

it('limits one client address guessing many emails (12 attempts, then 429)', async () => {
  for (let i = 0; i < 12; i++) {
    expect((await login(t, uniqueEmail(`spray${i}`), 'whatever-password', from('10.0.4.1'))).status).toBe(401);
  }
  expect429(await login(t, uniqueEmail('spray-last'), 'whatever-password', from('10.0.4.1')));
  // Another address is not affected.
  expect((await login(t, uniqueEmail('elsewhere'), 'whatever-password', from('10.0.4.2'))).status).toBe(401);
});
