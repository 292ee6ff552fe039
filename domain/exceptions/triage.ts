import { roleAtLeast, type Role } from '../roles';
import {
  decisionCodes, escalatedSeverity, isDecisionType, REAPPLIED_CODE,
  type ExceptionStatus, type ExceptionType, type Severity,
} from './types';
import type { TriageAction } from './view';

/** The fields a triage action reads and writes. */
export interface TriageState {
  type: ExceptionType;
  status: ExceptionStatus;
  severity: Severity;
  assignee: string | null;
  resolutionCode: string | null;
}

export type TriageRequest =
  | { action: 'ack' }
  | { action: 'assign'; assignee: string | null }
  | { action: 'resolve'; code: string; note?: string | null }
  | { action: 'escalate'; note?: string | null }
  | { action: 'reopen'; note?: string | null }
  | { action: 'reapply' };

export interface TriagePatch {
  status?: ExceptionStatus;
  severity?: Severity;
  assignee?: string | null;
  acknowledged?: 'now' | 'clear';
  escalated?: 'now';
  resolved?: { code: string; note: string | null; by: string } | 'clear';
  /** Reopened: a fresh SLA from now. */
  renewDue?: true;
}

export type TriageOutcome =
  | { kind: 'change'; patch: TriagePatch }
  /** Already in the requested state: nothing to do, and not an error (actions are idempotent). */
  | { kind: 'unchanged' }
  | { kind: 'refused'; status: 403 | 409 | 400; code: string; message: string };

/**
 * Who may do what (kpis.md, "Who may do what"): operators acknowledge, assign, resolve (and reopen,
 * re-apply) exceptions of ordinary types; supervisors also decide fraud reviews and count
 * discrepancies, and escalate; admins may do all of it. Viewers only look.
 */
export function mayAct(role: Role, action: TriageAction, type: ExceptionType): boolean {
  if (action === 'escalate') return roleAtLeast(role, 'supervisor');
  if (action === 'reapply' && type !== 'invalid_event') return false;
  return roleAtLeast(role, isDecisionType(type) ? 'supervisor' : 'operator');
}

export function allowedCodes(type: ExceptionType, ordinaryCodes: readonly string[]): readonly string[] {
  return isDecisionType(type) ? decisionCodes : ordinaryCodes;
}

const refused = (status: 403 | 409 | 400, code: string, message: string): TriageOutcome => ({ kind: 'refused', status, code, message });

/**
 * The triage state machine: what `req` by `actor` (an email) does to an exception in state `s`.
 * Repeating an action that already took effect changes nothing; an action that contradicts the
 * current state (resolving with another code, claiming what someone else claimed) is a 409.
 */
export function decide(s: TriageState, req: TriageRequest, actor: { email: string; role: Role }, ordinaryCodes: readonly string[]): TriageOutcome {
  if (!mayAct(actor.role, req.action, s.type)) {
    if (req.action === 'reapply' && s.type !== 'invalid_event') return refused(400, 'not_applicable', 'only an invalid_event can be re-applied');
    const who = req.action === 'escalate' || isDecisionType(s.type) ? 'supervisor' : 'operator';
    return refused(403, 'forbidden', `${req.action} on a ${s.type} exception needs the ${who} role; you are ${actor.role}`);
  }
  const resolved = s.status === 'resolved';
  switch (req.action) {
    case 'ack':
      if (resolved) return refused(409, 'resolved', 'this exception is resolved; reopen it first');
      if (s.assignee && s.assignee !== actor.email) return refused(409, 'claimed', `${s.assignee} has claimed this exception; assign it to yourself to take it over`);
      if (s.assignee === actor.email && s.status === 'acknowledged') return { kind: 'unchanged' };
      return { kind: 'change', patch: { status: 'acknowledged', assignee: actor.email, acknowledged: 'now' } };
    case 'assign':
      if (resolved) return refused(409, 'resolved', 'this exception is resolved; reopen it first');
      if (s.assignee === req.assignee) return { kind: 'unchanged' };
      // A new owner has not acknowledged it yet; an escalated exception stays escalated.
      return { kind: 'change', patch: { assignee: req.assignee, ...(s.status === 'acknowledged' ? { status: 'open' as const, acknowledged: 'clear' as const } : {}) } };
    case 'resolve': {
      const codes = allowedCodes(s.type, ordinaryCodes);
      if (!codes.includes(req.code)) return refused(400, 'invalid_code', `a ${s.type} exception is resolved with one of: ${codes.join(', ')}`);
      if (resolved) {
        return s.resolutionCode === req.code ? { kind: 'unchanged' } : refused(409, 'resolved', `already resolved as ${s.resolutionCode}`);
      }
      return { kind: 'change', patch: { status: 'resolved', assignee: s.assignee ?? actor.email, resolved: { code: req.code, note: req.note ?? null, by: actor.email } } };
    }
    case 'escalate':
      if (resolved) return refused(409, 'resolved', 'a resolved exception cannot be escalated; reopen it first');
      if (s.status === 'escalated') return { kind: 'unchanged' };
      return { kind: 'change', patch: { status: 'escalated', severity: escalatedSeverity(s.severity), escalated: 'now' } };
    case 'reopen':
      if (!resolved) return { kind: 'unchanged' };
      if (isDecisionType(s.type) && (decisionCodes as readonly string[]).includes(s.resolutionCode ?? '')) {
        return refused(409, 'decided', `this ${s.type} was decided (${s.resolutionCode}) and acted on; it cannot be reopened`);
      }
      if (s.resolutionCode === REAPPLIED_CODE) return refused(409, 'decided', 'the event was re-applied; a new exception opens if it fails again');
      return { kind: 'change', patch: { status: 'open', resolved: 'clear', acknowledged: 'clear', assignee: null, renewDue: true } };
    case 'reapply':
      if (resolved) return s.resolutionCode === REAPPLIED_CODE ? { kind: 'unchanged' } : refused(409, 'resolved', 'this exception is resolved; reopen it first');
      return { kind: 'change', patch: { status: 'resolved', assignee: s.assignee ?? actor.email, resolved: { code: REAPPLIED_CODE, note: null, by: actor.email } } };
  }
}

