import { describe, expect, it } from 'vitest';
import { loginUrl, safeNext } from './safe-next';

describe('safeNext', () => {
	it.each([
		['/admin', '/admin'],
		['/admin?tab=keys', '/admin?tab=keys'],
		[null, '/'],
		['', '/'],
		['https://evil.example', '/'],
		['//evil.example', '/'],
		['/\\evil.example', '/'],
		['javascript:alert(1)', '/'],
		['/login', '/'],
		['/login?next=/x', '/']
	])('%s → %s', (input, expected) => {
		expect(safeNext(input)).toBe(expected);
	});
});

describe('loginUrl', () => {
	it('carries the current path as next', () => {
		expect(loginUrl(new URL('http://h/admin?x=1'))).toBe('/login?next=%2Fadmin%3Fx%3D1');
		expect(loginUrl('/')).toBe('/login');
	});
});
