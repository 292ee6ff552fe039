import type { ExceptionStatus, ExceptionType, Severity } from './types';

/** One exception as the read API, the live pushes and the triage UI see it. Times are ISO-8601. */
export interface ExceptionView {
  id: string;
  type: ExceptionType;
  severity: Severity;
  status: ExceptionStatus;
  /** What it is about, e.g. `order:W-1`, `sku:TEE@DC-EAST`, `event:shop-web/evt-1`, `source:shop-web`. */
  subject: string;
  orderId: string | null;
  sku: string | null;
  locationId: string | null;
  channel: string | null;
  source: string | null;
  eventSeq: string | null;
  details: Record<string, unknown>;
  /** How many times its rule fired while it was open (deduplicated by type and subject). */
  occurrences: number;
  openedAt: string;
  lastSeenAt: string;
  dueAt: string;
  /** The user (email) who claimed it or was assigned it. */
  assignee: string | null;
  acknowledgedAt: string | null;
  escalatedAt: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
  resolution: { code: string; note: string | null } | null;
  /** Bumped by every change: a client keeps the highest version it saw. */
  version: number;
  updatedAt: string;
}

/** Open, acknowledged and escalated exceptions of one type, for the dashboards. */
export interface ExceptionTypeSummary {
  open: number;
  acknowledged: number;
  escalated: number;
  /** Past `dueAt` and unresolved. */
  overdue: number;
  /** `openedAt` of the oldest unresolved one (its age is now − this), or null when none is unresolved. */
  oldestOpenedAt: string | null;
}

export interface ExceptionSummary {
  asOf: string;
  byType: Partial<Record<ExceptionType, ExceptionTypeSummary>>;
  bySeverity: Record<Severity, number>;
  unresolved: number;
}

export interface ExceptionPage {
  items: ExceptionView[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export const triageActions = ['ack', 'assign', 'resolve', 'escalate', 'reopen', 'reapply'] as const;
export type TriageAction = (typeof triageActions)[number];

export interface ActionResult {
  exception: ExceptionView;
  /** False when the exception already was in the requested state (actions are idempotent). */
  changed: boolean;
  /** What a decision or a re-apply set in motion: an event the workers apply, and how that went. */
  outcome?: { eventSeq: string; state: 'applied' | 'invalid' | 'pending'; error?: string };
}

export interface BulkPreview {
  /** Exceptions the selection or filter names. */
  matched: number;
  /** Of those, how many the action would change. */
  willChange: number;
  /** Why the others would not change, by reason (already in that state, needs a supervisor, ...). */
  skipped: Record<string, number>;
}

export interface BulkResult extends BulkPreview {
  opId: string;
  changed: number;
  /** The action can be undone until then (POST /api/v1/exceptions/bulk/:opId/undo). */
  undoUntil: string;
}
