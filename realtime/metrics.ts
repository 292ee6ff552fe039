import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  accepted: Counter;
  rejected: Counter;
  duplicates: Counter;
  applied: Counter;
  queueDepth: Gauge;
  backlog: Gauge;
  lag: Histogram;
  exceptionsUnresolved: Gauge<'type'>;
  exceptionsOverdue: Gauge<'type'>;
  exceptionActions: Counter<'action' | 'result'>;
}

/** A registry per process (or per test), never the global one, so two apps in one process do not clash. */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'tower_' });
  return {
    registry,
    accepted: new Counter({ name: 'tower_events_accepted_total', help: 'Events accepted (durable)', registers: [registry] }),
    rejected: new Counter({ name: 'tower_events_rejected_total', help: 'Events rejected by validation', registers: [registry] }),
    duplicates: new Counter({ name: 'tower_events_duplicate_total', help: 'Duplicate events ignored', registers: [registry] }),
    applied: new Counter({ name: 'tower_events_applied_total', help: 'Events applied by this process\'s workers', registers: [registry] }),
    queueDepth: new Gauge({ name: 'tower_apply_queue_depth', help: 'Apply jobs waiting or delayed', registers: [registry] }),
    backlog: new Gauge({ name: 'tower_events_unapplied', help: 'Events durable but not applied yet', registers: [registry] }),
    lag: new Histogram({
      name: 'tower_ingest_to_applied_seconds',
      help: 'Time from acceptance to applied',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    exceptionsUnresolved: new Gauge({ name: 'tower_exceptions_unresolved', help: 'Unresolved exceptions by type', labelNames: ['type'], registers: [registry] }),
    exceptionsOverdue: new Gauge({ name: 'tower_exceptions_overdue', help: 'Unresolved exceptions past their dueAt, by type', labelNames: ['type'], registers: [registry] }),
    exceptionActions: new Counter({ name: 'tower_exception_actions_total', help: 'Triage actions taken through this process, by action and result (changed, unchanged, refused)', labelNames: ['action', 'result'], registers: [registry] }),
  };
}
