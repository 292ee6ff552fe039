import type { EventType } from '../domain/events/schemas';

/** One event of the v1 contract as the simulator emits it (the envelope of docs/events.md). */
export interface RawEvent {
  id: string;
  type: EventType;
  source: string;
  /** Simulated event time, ISO-8601 in UTC. */
  occurredAt: string;
  data: Record<string, unknown>;
}
