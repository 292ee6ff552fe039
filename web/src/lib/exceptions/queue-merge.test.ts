import { describe, expect, it } from 'vitest';
import type { ExceptionView } from './domain';
import { applyChanges, compareDue, mergePage, moveFocus, newerThanSeen, nextFocusId, notOlderThanSeen } from './queue-merge';
import { view } from './view-fixture';

const row = (id: string, dueMinute: number, over: Partial<ExceptionView> = {}) =>
	view({ id, dueAt: new Date(Date.UTC(2024, 4, 1, 12, dueMinute)).toISOString(), ...over });
const ids = (rows: readonly { id: string }[]) => rows.map((r) => r.id);
const unresolved = (r: ExceptionView) => r.status !== 'resolved';

describe('compareDue', () => {
	it('orders by due time, then id', () => {
		const rows = [row('b', 5), row('c', 1), row('a', 5)];
		expect(ids(rows.sort(compareDue))).toEqual(['c', 'a', 'b']);
	});
});

describe('newerThanSeen', () => {
	it('keeps the highest version per id and drops what is not newer than seen', () => {
		const seen = new Map([['a', 3]]);
		const fresh = newerThanSeen([row('a', 1, { version: 2 }), row('b', 1, { version: 1 }), row('b', 1, { version: 4 }), row('a', 1, { version: 5 })], seen);
		expect(fresh.map((r) => [r.id, r.version])).toEqual([
			['a', 5],
			['b', 4]
		]);
		expect(seen).toEqual(new Map([['a', 5], ['b', 4]]));
		expect(newerThanSeen([row('a', 1, { version: 5 })], seen)).toEqual([]);
	});
});

describe('notOlderThanSeen', () => {
	it('drops page rows a push already overtook and records the rest', () => {
		const seen = new Map([['a', 3], ['b', 1]]);
		const kept = notOlderThanSeen([row('a', 1, { version: 2 }), row('b', 2, { version: 1 }), row('c', 3, { version: 4 })], seen);
		expect(ids(kept)).toEqual(['b', 'c']);
		expect(seen).toEqual(new Map([['a', 3], ['b', 1], ['c', 4]]));
	});
});

describe('mergePage', () => {
	it('appends a page in due order without listing a row twice', () => {
		const merged = mergePage([row('a', 1), row('b', 2, { version: 3 })], [row('b', 2, { version: 2 }), row('c', 3)]);
		expect(ids(merged)).toEqual(['a', 'b', 'c']);
		expect(merged[1]!.version).toBe(3);
	});
});

describe('applyChanges', () => {
	const items = [row('a', 1), row('b', 5), row('c', 9)];

	it('updates a row in place and highlights a new assignee', () => {
		const result = applyChanges(items, [row('b', 5, { version: 2, assignee: 'bo@example.com', status: 'acknowledged' })], { matches: unresolved, complete: true });
		expect(ids(result.items)).toEqual(['a', 'b', 'c']);
		expect(result.items[1]!.assignee).toBe('bo@example.com');
		expect(result.highlighted).toEqual(['b']);
	});

	it('ignores an older or equal version', () => {
		const result = applyChanges(items, [row('b', 5, { version: 1, status: 'resolved' })], { matches: unresolved, complete: true });
		expect(result.items).toBe(items);
	});

	it('drops a row that leaves the filter', () => {
		const result = applyChanges(items, [row('a', 1, { version: 2, status: 'resolved' })], { matches: unresolved, complete: true });
		expect(ids(result.items)).toEqual(['b', 'c']);
		expect(result.removed).toEqual(['a']);
	});

	it('inserts a newly matching row in due order', () => {
		const result = applyChanges(items, [row('n', 3)], { matches: unresolved, complete: true });
		expect(ids(result.items)).toEqual(['a', 'n', 'b', 'c']);
		expect(result.highlighted).toEqual(['n']);
	});

	it('moves a row whose due time changed (reopened)', () => {
		const result = applyChanges(items, [row('a', 20, { version: 2 })], { matches: unresolved, complete: true });
		expect(ids(result.items)).toEqual(['b', 'c', 'a']);
	});

	it('leaves a new row past the last loaded one to its page while more pages are to come', () => {
		const later = applyChanges(items, [row('z', 30)], { matches: unresolved, complete: false });
		expect(later.items).toBe(items);
		const earlier = applyChanges(items, [row('n', 3)], { matches: unresolved, complete: false });
		expect(ids(earlier.items)).toEqual(['a', 'n', 'b', 'c']);
	});

	it('does nothing for a non-matching row it does not list', () => {
		const result = applyChanges(items, [row('q', 2, { status: 'resolved' })], { matches: unresolved, complete: true });
		expect(result.items).toBe(items);
		expect(result.removed).toEqual([]);
	});
});

describe('nextFocusId', () => {
	const prev = [row('a', 1), row('b', 2), row('c', 3)];

	it('stays on a row that is still listed', () => {
		expect(nextFocusId(prev, [row('c', 3), row('b', 2)], 'b')).toBe('b');
	});

	it('moves to the next row when the focused one leaves, else the previous one', () => {
		expect(nextFocusId(prev, [row('a', 1), row('c', 3)], 'b')).toBe('c');
		expect(nextFocusId(prev, [row('a', 1), row('b', 2)], 'c')).toBe('b');
		expect(nextFocusId(prev, [], 'a')).toBeNull();
		expect(nextFocusId(prev, prev, null)).toBeNull();
	});
});

describe('moveFocus', () => {
	const items = [row('a', 1), row('b', 2), row('c', 3)];

	it('moves one row and stops at the ends', () => {
		expect(moveFocus(items, 'a', 1)).toBe('b');
		expect(moveFocus(items, 'a', -1)).toBe('a');
		expect(moveFocus(items, 'c', 1)).toBe('c');
	});

	it('starts at the first row', () => {
		expect(moveFocus(items, null, 1)).toBe('a');
		expect(moveFocus(items, 'gone', -1)).toBe('a');
		expect(moveFocus([], null, 1)).toBeNull();
	});
});
