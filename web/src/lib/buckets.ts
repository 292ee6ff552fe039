import type { MinuteBucket } from '$domain/live/overview';

export const RING_CAPACITY = 60;
const MINUTE_MS = 60_000;

/**
 * Merges changed/new minute buckets into the ring: same `t` replaces, new `t` appends,
 * result is sorted oldest → newest and holds at most `capacity` minutes ending at the newest one.
 * Returns a new array so it can live in `$state.raw`.
 */
export function mergeBuckets(
	ring: readonly MinuteBucket[],
	incoming: readonly MinuteBucket[],
	capacity = RING_CAPACITY
): MinuteBucket[] {
	const byT = new Map<number, MinuteBucket>();
	for (const bucket of ring) byT.set(bucket.t, bucket);
	for (const bucket of incoming) byT.set(bucket.t, bucket);

	const sorted = [...byT.values()].sort((a, b) => a.t - b.t);
	const newest = sorted.at(-1);
	if (!newest) return [];

	// A gap in pushes must not keep minutes from outside the window just because the ring has room.
	const oldestAllowed = newest.t - (capacity - 1) * MINUTE_MS;
	return sorted.filter((b) => b.t >= oldestAllowed).slice(-capacity);
}

/** Channels in the server's order, then any channel seen in the buckets but not listed. */
export function channelsOf(buckets: readonly MinuteBucket[], listed: readonly string[]): string[] {
	const result = [...listed];
	const seen = new Set(listed);
	for (const bucket of buckets) {
		for (const channel of Object.keys(bucket.orders)) {
			if (!seen.has(channel)) {
				seen.add(channel);
				result.push(channel);
			}
		}
	}
	return result;
}
