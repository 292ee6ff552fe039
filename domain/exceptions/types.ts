/** Exception types of the spec with their default severity and SLA (kpis.md, "Exceptions"). */
export const severities = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof severities)[number];

export const exceptionStatuses = ['open', 'acknowledged', 'escalated', 'resolved'] as const;
export type ExceptionStatus = (typeof exceptionStatuses)[number];
/** Everything not resolved: the working queue. */
export const unresolvedStatuses = ['open', 'acknowledged', 'escalated'] as const satisfies readonly ExceptionStatus[];

export const exceptionTypes = {
  fraud_review: { severity: 'high', slaMinutes: 30 },
  payment_failed: { severity: 'medium', slaMinutes: 240 },
  stockout: { severity: 'high', slaMinutes: 60 },
  split_shipment: { severity: 'low', slaMinutes: 24 * 60 },
  short_pick: { severity: 'high', slaMinutes: 60 },
  /** Due at the order's `promisedShipBy`; the minutes are only a fallback for an order without one. */
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
export const exceptionTypeList = Object.keys(exceptionTypes) as ExceptionType[];

export function isExceptionType(value: unknown): value is ExceptionType {
  return typeof value === 'string' && Object.hasOwn(exceptionTypes, value);
}

/**
 * Types whose resolution acts on orders or stock: only supervisors decide them, with `approve` or
 * `reject` (fraud_review: release or cancel the order; count_discrepancy: book the count or keep the book).
 */
export const decisionTypes = ['fraud_review', 'count_discrepancy'] as const satisfies readonly ExceptionType[];
export type DecisionType = (typeof decisionTypes)[number];
export const decisionCodes = ['approve', 'reject'] as const;

export function isDecisionType(type: ExceptionType): type is DecisionType {
  return (decisionTypes as readonly string[]).includes(type);
}

/** The default resolution codes of ordinary types (configurable: EXCEPTION_RESOLUTION_CODES). */
export const defaultResolutionCodes = ['fixed', 'no_action', 'duplicate'] as const;
/** The code a re-applied `invalid_event` is resolved with. */
export const REAPPLIED_CODE = 'reapplied';
/** The code the tower uses when the condition behind an exception cleared by itself. */
export const AUTO_RESOLVED_CODE = 'auto_resolved';

export function dueAt(type: ExceptionType, openedAt: Date, slaMinutes: Partial<Record<ExceptionType, number>> = {}): Date {
  return new Date(openedAt.getTime() + (slaMinutes[type] ?? exceptionTypes[type].slaMinutes) * 60_000);
}

/** One step up, capped at critical (escalation). */
export function escalatedSeverity(severity: Severity): Severity {
  const i = severities.indexOf(severity);
  return severities[Math.max(0, i - 1)]!;
}

/** Parses `type=minutes,...` (EXCEPTION_SLA_MINUTES); returns the problems instead of throwing. */
export function parseSlaOverrides(text: string): { value: Partial<Record<ExceptionType, number>>; problems: string[] } {
  const value: Partial<Record<ExceptionType, number>> = {};
  const problems: string[] = [];
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([a-z_]+)\s*=\s*(\d+)$/.exec(part);
    if (!m) {
      problems.push(`"${part}" must look like type=minutes, e.g. fraud_review=20`);
      continue;
    }
    if (!isExceptionType(m[1])) {
      problems.push(`"${m[1]}" is not an exception type (one of ${exceptionTypeList.join(', ')})`);
      continue;
    }
    value[m[1]] = Number(m[2]);
  }
  return { value, problems };
}
