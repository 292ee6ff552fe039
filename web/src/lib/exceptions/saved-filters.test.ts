import { describe, expect, it } from 'vitest';
import { readSavedFilters, removeFilter, SAVED_FILTERS_KEY, saveFilter } from './saved-filters';

function memoryStorage(initial: Record<string, string> = {}) {
	const data = new Map(Object.entries(initial));
	return {
		getItem: (key: string) => data.get(key) ?? null,
		setItem: (key: string, value: string) => void data.set(key, value),
		data
	};
}

describe('saved filters', () => {
	it('saves, replaces by name and removes', () => {
		const storage = memoryStorage();
		saveFilter(storage, ' Fraud, mine ', 'type=fraud_review&assignee=me');
		saveFilter(storage, 'Critical', 'severity=critical');
		expect(saveFilter(storage, 'fraud, MINE', 'type=fraud_review')).toEqual([
			{ name: 'Critical', query: 'severity=critical' },
			{ name: 'fraud, MINE', query: 'type=fraud_review' }
		]);
		expect(removeFilter(storage, 'Critical')).toEqual([{ name: 'fraud, MINE', query: 'type=fraud_review' }]);
		expect(readSavedFilters(storage)).toEqual([{ name: 'fraud, MINE', query: 'type=fraud_review' }]);
	});

	it('ignores a blank name', () => {
		const storage = memoryStorage();
		expect(saveFilter(storage, '   ', 'severity=low')).toEqual([]);
	});

	it('survives garbage, someone else\'s data and no storage at all', () => {
		expect(readSavedFilters(memoryStorage({ [SAVED_FILTERS_KEY]: '{not json' }))).toEqual([]);
		expect(readSavedFilters(memoryStorage({ [SAVED_FILTERS_KEY]: '{"a":1}' }))).toEqual([]);
		expect(readSavedFilters(memoryStorage({ [SAVED_FILTERS_KEY]: '[{"name":"ok","query":""},{"name":3},null]' }))).toEqual([{ name: 'ok', query: '' }]);
		expect(readSavedFilters(null)).toEqual([]);
		expect(saveFilter(null, 'x', 'y')).toEqual([{ name: 'x', query: 'y' }]);
	});

	it('keeps working when the quota is full', () => {
		const storage = { getItem: () => null, setItem: () => { throw new Error('QuotaExceededError'); } };
		expect(saveFilter(storage, 'x', 'y')).toEqual([{ name: 'x', query: 'y' }]);
	});
});
