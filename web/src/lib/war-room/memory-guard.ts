/**
 * A wall screen runs for days: if its JS heap grows past a bound (a leak somewhere), reloading the
 * page is the cheapest cure. Chromium exposes `performance.memory`; elsewhere the guard does nothing.
 */
export const MEMORY_CHECK_MS = 60_000;
const MB = 1024 * 1024;

export interface HeapReading {
	usedBytes: number;
}

export interface MemoryVerdict {
	reload: boolean;
	/** Null when the browser does not tell. */
	usedMb: number | null;
	message: string;
}

export function memoryVerdict(reading: HeapReading | null, limitMb: number): MemoryVerdict {
	if (!reading || !Number.isFinite(reading.usedBytes)) {
		return { reload: false, usedMb: null, message: 'war room memory guard: this browser does not report its JS heap' };
	}
	const usedMb = Math.round((reading.usedBytes / MB) * 10) / 10;
	const reload = reading.usedBytes > limitMb * MB;
	return {
		reload,
		usedMb,
		message: reload
			? `war room memory guard: JS heap ${usedMb} MB is over ${limitMb} MB; reloading the page`
			: `war room memory guard: JS heap ${usedMb} MB of ${limitMb} MB allowed`
	};
}

/** `performance.memory.usedJSHeapSize` where the browser has it (Chromium), else null. */
export function readHeap(perf: unknown = globalThis.performance): HeapReading | null {
	const memory = (perf as { memory?: { usedJSHeapSize?: unknown } } | undefined)?.memory;
	return typeof memory?.usedJSHeapSize === 'number' ? { usedBytes: memory.usedJSHeapSize } : null;
}

export interface MemoryGuardOptions {
	limitMb: number;
	everyMs?: number;
	read?: () => HeapReading | null;
	reload: () => void;
	log?: (message: string) => void;
}

/** Checks every `everyMs` (a minute) and reloads once over the bound; returns the stop function. */
export function startMemoryGuard({ limitMb, everyMs = MEMORY_CHECK_MS, read = () => readHeap(), reload, log = console.info }: MemoryGuardOptions): () => void {
	const timer = setInterval(() => {
		const verdict = memoryVerdict(read(), limitMb);
		log(verdict.message);
		if (verdict.reload) {
			clearInterval(timer);
			reload();
		}
	}, everyMs);
	return () => clearInterval(timer);
}
