/** Exception types of the spec with their default severity and SLA (kpis.md, "Exceptions"). */
export type Severity = 'critical' | 'high' | 'medium' | 'low';

export const exceptionTypes = {
  fraud_review: { severity: 'high', slaMinutes: 30 },
  payment_failed: { severity: 'medium', slaMinutes: 240 },
  stockout: { severity: 'high', slaMinutes: 60 },
  split_shipment: { severity: 'low', slaMinutes: 24 * 60 },
  short_pick: { severity: 'high', slaMinutes: 60 },
  sla_at_risk: { severity: 'high', slaMinutes: 0 },
  count_discrepancy: { severity: 'medium', slaMinutes: 24 * 60 },
  oversell_exposure: { severity: 'critical', slaMinutes: 15 },
  invalid_event: { severity: 'medium', slaMinutes: 240 },
  return_overdue: { severity: 'low', slaMinutes: 24 * 60 },
  feed_stale: { severity: 'critical', slaMinutes: 15 },
  /** Not in the spec's table: a live invariant check failed. Critical, because the numbers are wrong. */
  invariant_breach: { severity: 'critical', slaMinutes: 15 },
} as const satisfies Record<string, { severity: Severity; slaMinutes: number }>;

export type ExceptionType = keyof typeof exceptionTypes;

export function dueAt(type: ExceptionType, openedAt: Date): Date {
  return new Date(openedAt.getTime() + exceptionTypes[type].slaMinutes * 60_000);
}
