/** The operations view re-reads `GET /api/v1/operations` at least this often, even on a quiet tower. */
export const OPERATIONS_POLL_MS = 30_000;
/** Older than this (two missed polls and some), the backlog and the at-risk list are marked stale. */
export const OPERATIONS_STALE_AFTER_MS = 65_000;

/** Whether the operations figures read at `readAtMs` (local clock) are stale at `nowMs`; never read counts as not stale yet (it is loading). */
export function operationsStale(readAtMs: number | null, nowMs: number, lastReadFailed: boolean): boolean {
	if (readAtMs === null) return lastReadFailed;
	return lastReadFailed || nowMs - readAtMs > OPERATIONS_STALE_AFTER_MS;
}

/** `GET /api/v1/operations` (db/queries/operations-read.ts). */
export interface AtRiskOrder {
	orderId: string;
	channel: string;
	status: string;
	promisedShipBy: string;
	units: number;
	openUnits: number;
}
export interface OperationsView {
	asOf: string;
	backlog: { total: number; byStatus: Record<string, number>; byChannel: Record<string, Record<string, number>> };
	atRisk: { horizonMinutes: number; count: number; overdue: number; orders: AtRiskOrder[] };
}
