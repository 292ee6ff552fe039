import { describe, expect, it } from 'vitest';
import { parseSources } from './sources';

describe('parseSources', () => {
	it('splits, trims and de-duplicates', () => {
		expect(parseSources(' shopify.eu , pos_1,shopify.eu,, web-2 ')).toEqual({
			ok: true,
			sources: ['shopify.eu', 'pos_1', 'web-2']
		});
	});
	it('rejects empty input', () => {
		expect(parseSources(' , ')).toEqual({ ok: false, error: 'Enter at least one source.' });
	});
	it('names the invalid entries', () => {
		const result = parseSources('ok, Bad Name, x/y');
		expect(result.ok).toBe(false);
		if (!result.ok) expect(result.error).toContain('Bad Name, x/y');
	});
	it('enforces the 64-character limit', () => {
		expect(parseSources('a'.repeat(64)).ok).toBe(true);
		expect(parseSources('a'.repeat(65)).ok).toBe(false);
	});
});
