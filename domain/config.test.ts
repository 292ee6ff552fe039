import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config';

describe('configuration', () => {
  it('has working defaults for a fresh machine', () => {
    const c = parseConfig({});
    expect(c).toMatchObject({ PORT: 3000, ROLE: 'all', REDIS_PREFIX: 'tower', INGEST_MAX_EVENTS: 5000, INGEST_MAX_BYTES: 5 * 1024 * 1024 });
    expect(c.DATABASE_URL).toBeUndefined();
  });

  it('treats empty variables as unset', () => {
    expect(parseConfig({ DATABASE_URL: '', ADMIN_EMAIL: '' }).DATABASE_URL).toBeUndefined();
  });

  it('reads FEED_STALE_MINUTES into thresholds per source, and refuses a bad one', () => {
    expect(parseConfig({}).FEED_STALE_MINUTES).toEqual({});
    expect(parseConfig({ FEED_STALE_MINUTES: 'shop-web=10, edi-acme=240' }).FEED_STALE_MINUTES).toEqual({ 'shop-web': 10, 'edi-acme': 240 });
    expect(() => parseConfig({ FEED_STALE_MINUTES: 'shop-web=ten' })).toThrow(/FEED_STALE_MINUTES: "shop-web=ten" must look like source=minutes/);
  });

  it('lists every bad variable at once', () => {
    try {
      parseConfig({ PORT: 'abc', ROLE: 'boss', ADMIN_EMAIL: 'not-an-email' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems.map((p) => p.split(':')[0])).toEqual(['PORT', 'ROLE', 'ADMIN_EMAIL']);
    }
  });
});
