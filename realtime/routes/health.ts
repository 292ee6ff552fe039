import { Router } from 'express';
import { exceptionTypeList } from '../../domain/exceptions/types';
import { backlogCount } from '../../db/queries/events';
import { authenticate, requireAuth } from '../auth/middleware';
import type { AppDeps } from '../deps';

const within = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms))]);

/** 'ok' or 'down' only: this probe is public, so driver error text (hosts, ports) stays in the logs. */
async function check(fn: () => Promise<unknown>, onError: (err: unknown) => void): Promise<'ok' | 'down'> {
  try {
    const r = await within(fn(), 2000);
    return r === false ? 'down' : 'ok';
  } catch (err) {
    onError(err);
    return 'down';
  }
}

/**
 * Probes: `/healthz` and `/readyz` answer without authentication (an orchestrator cannot sign in)
 * and reveal only up/down per dependency. `/metrics` needs a user session or an API key.
 */
export function healthRouter(deps: AppDeps): Router {
  const router = Router();

  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/readyz', async (_req, res) => {
    const logDown = (what: string) => (err: unknown) => deps.log.warn({ err, what }, 'readiness check failed');
    const [postgres, redis, workers] = await Promise.all([
      check(() => deps.sql`SELECT 1`, logDown('postgres')),
      check(() => deps.redis.ping(), logDown('redis')),
      check(() => deps.workersAlive(), logDown('workers')),
    ]);
    const ready = postgres === 'ok' && redis === 'ok' && workers === 'ok' && !deps.isShuttingDown();
    if (!ready) res.setHeader('Retry-After', '5');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks: { postgres, redis, workers }, shuttingDown: deps.isShuttingDown() });
  });

  router.get('/metrics', authenticate(deps.sql), requireAuth, async (_req, res) => {
    const [counts, backlog, summary] = await Promise.all([
      deps.queue.getJobCounts('waiting', 'delayed', 'prioritized').catch(() => null),
      backlogCount(deps.sql).catch(() => null),
      deps.exceptionLive.read().catch(() => null),
    ]);
    if (summary) {
      for (const type of exceptionTypeList) {
        const t = summary.byType[type];
        deps.metrics.exceptionsUnresolved.set({ type }, t ? t.open + t.acknowledged + t.escalated : 0);
        deps.metrics.exceptionsOverdue.set({ type }, t?.overdue ?? 0);
      }
    }
    if (counts) deps.metrics.queueDepth.set(Object.values(counts).reduce((a, b) => a + b, 0));
    if (backlog !== null) deps.metrics.backlog.set(backlog);
    res.setHeader('Content-Type', deps.metrics.registry.contentType);
    res.send(await deps.metrics.registry.metrics());
  });

  return router;
}
