import type { ExceptionSummary, ExceptionView } from './exceptions/view';
import type { LiveKpis } from './kpis/types';
import type { OverviewDelta, OverviewSnapshot } from './live/overview';

/**
 * The one typed Socket.IO contract, shared by `realtime/` (emits), `jobs/` and `web/` (receives).
 * Event names are `noun.verb`.
 */
export interface ServerToClientEvents {
  /** Sent once on connect: everything the overview shows. */
  'overview.snapshot': (snapshot: OverviewSnapshot) => void;
  /** Sent at most every PUSH_INTERVAL_MS (default 250 ms) while something changed. */
  'overview.delta': (delta: OverviewDelta) => void;
  /**
   * Exceptions that were opened or changed (claimed, resolved, escalated, seen again), coalesced per
   * push interval. A client keeps, per id, the row with the highest `version`.
   */
  'exceptions.changed': (change: { items: ExceptionView[] }) => void;
  /** Counts and oldest age per type; sent on connect and whenever they change. */
  'exceptions.summary': (summary: ExceptionSummary) => void;
  /** Sent to supervisors and admins only: exceptions that just escalated (past due, or by hand). */
  'exceptions.escalated': (change: { items: ExceptionView[] }) => void;
  /**
   * The live KPIs (last 15 and 60 minutes, today, and the "now" figures): sent on connect, then at
   * most every PUSH_INTERVAL_MS, only when a figure changed. Always the whole set (it is small).
   */
  'kpis.live': (kpis: LiveKpis) => void;
  /** The session behind this socket ended (logout, disabled user); the client should sign in again. */
  'session.ended': (info: { reason: string }) => void;
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ClientToServerEvents {}

export const roles = ['viewer', 'operator', 'supervisor', 'admin'] as const;
export type Role = (typeof roles)[number];

export interface PublicUser {
  id: string;
  email: string;
  role: Role;
  disabled: boolean;
  createdAt: string;
}

export interface PublicApiKey {
  id: string;
  name: string;
  sources: string[];
  keyPrefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}
