/** A filter the user named; `query` is the canonical query string of `filterParams`. */
export interface SavedFilter {
	name: string;
	query: string;
}

export const SAVED_FILTERS_KEY = 'tower.exceptions.savedFilters';
const MAX_SAVED = 20;

type KeyValueStore = Pick<Storage, 'getItem' | 'setItem'>;

/** What is stored, or nothing when it is missing, unreadable or not ours. */
export function readSavedFilters(storage: KeyValueStore | null): SavedFilter[] {
	try {
		const parsed: unknown = JSON.parse(storage?.getItem(SAVED_FILTERS_KEY) ?? '[]');
		if (!Array.isArray(parsed)) return [];
		return parsed.filter(
			(f): f is SavedFilter => typeof f === 'object' && f !== null && typeof f.name === 'string' && typeof f.query === 'string' && f.name.trim() !== ''
		);
	} catch {
		return [];
	}
}

function write(storage: KeyValueStore | null, list: SavedFilter[]): SavedFilter[] {
	try {
		storage?.setItem(SAVED_FILTERS_KEY, JSON.stringify(list));
	} catch {
		// Private mode or a full quota: the chips still work for this page view.
	}
	return list;
}

/** Saves under `name`, replacing a filter of the same name (case-insensitive); newest last. */
export function saveFilter(storage: KeyValueStore | null, name: string, query: string): SavedFilter[] {
	const trimmed = name.trim();
	if (!trimmed) return readSavedFilters(storage);
	const others = readSavedFilters(storage).filter((f) => f.name.toLowerCase() !== trimmed.toLowerCase());
	return write(storage, [...others, { name: trimmed, query }].slice(-MAX_SAVED));
}

export function removeFilter(storage: KeyValueStore | null, name: string): SavedFilter[] {
	return write(storage, readSavedFilters(storage).filter((f) => f.name !== name));
}
