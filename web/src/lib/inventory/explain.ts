/** `GET /api/v1/inventory/explain`: every term of ats(sku, channel). */
export interface AtsExplanation {
	sku: string;
	channel: string;
	safetyStock: number;
	allocationShare: number;
	locations: {
		locationId: string;
		shipsToCustomers: boolean;
		onHand: number;
		reserved: number;
		available: number;
		ledger: { at: string; bucket: string; delta: number; reason: string; eventSeq: string; orderId: string | null }[];
		reservations: { orderId: string; lineNo: number; qty: number }[];
		reservationsTruncated?: boolean;
		counted: boolean;
		contributes: number;
	}[];
	sumAvailable: number;
	afterSafetyStock: number;
	ats: number;
	listedQty: number | null;
	oversellExposure: number | null;
	formula: string;
}

/** The formula's terms in reading order, each a label and a value, for a definition list. */
export function explanationTerms(e: AtsExplanation): { term: string; value: string; testid: string }[] {
	return [
		{ term: 'Σ available at locations that ship', value: String(e.sumAvailable), testid: 'term-sum-available' },
		{ term: 'Safety stock', value: `− ${e.safetyStock}`, testid: 'term-safety-stock' },
		{ term: 'After safety stock', value: String(e.afterSafetyStock), testid: 'term-after-safety-stock' },
		{ term: 'Allocation share', value: `× ${e.allocationShare}`, testid: 'term-allocation-share' },
		{ term: 'ATS (rounded down)', value: String(e.ats), testid: 'term-ats' },
		{ term: 'Listed by the channel', value: e.listedQty === null ? 'no listing' : String(e.listedQty), testid: 'term-listed' },
		{ term: 'Oversell exposure', value: e.oversellExposure === null ? '—' : String(e.oversellExposure), testid: 'term-exposure' }
	];
}
