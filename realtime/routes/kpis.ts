import { Router } from 'express';
import { z } from 'zod';
import { readKpis } from '../../db/queries/kpis';
import { kpiDimensionKeys } from '../../db/queries/kpis-now';
import { identifier } from '../../domain/events/schemas';
import { businessDay, windowProblems } from '../../domain/kpis/window';
import { requireRole } from '../auth/middleware';
import type { AppDeps } from '../deps';
import { notFound } from '../http-error';

const timestamp = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 timestamp with an offset' });

const kpiQuery = z
  .strictObject({ from: timestamp.optional(), to: timestamp.optional(), channel: identifier.optional(), location: identifier.optional() })
  .superRefine((q, ctx) => {
    if ((q.from === undefined) !== (q.to === undefined)) {
      ctx.addIssue({ code: 'custom', path: [q.from === undefined ? 'from' : 'to'], message: 'from and to go together (omit both for today)' });
    }
    if (q.from !== undefined && q.to !== undefined) {
      for (const p of windowProblems({ fromMs: Date.parse(q.from), toMs: Date.parse(q.to) })) ctx.addIssue({ code: 'custom', path: [p.path], message: p.message });
    }
  });

/** The KPIs: exact for any window from PostgreSQL, and live (15 min, 60 min, today) from Redis. */
export function kpisRouter(deps: AppDeps): Router {
  const { sql, config } = deps;
  const router = Router();

  router.get('/api/v1/kpis', requireRole('viewer'), async (req, res) => {
    const q = kpiQuery.parse(req.query);
    const now = new Date();
    const today = businessDay(now.getTime(), config.BUSINESS_TIMEZONE);
    const from = q.from !== undefined ? new Date(q.from) : new Date(today.fromMs);
    const to = q.to !== undefined ? new Date(q.to) : new Date(today.toMs);
    if (q.channel !== undefined || q.location !== undefined) {
      const known = await kpiDimensionKeys(sql);
      const missing = [
        ...(q.channel !== undefined && !known.channels.includes(q.channel) ? [`channel ${q.channel}`] : []),
        ...(q.location !== undefined && !known.locations.includes(q.location) ? [`location ${q.location}`] : []),
      ];
      if (missing.length > 0) throw notFound(missing.join(' and '));
    }
    res.json(await readKpis(sql, { from, to, channel: q.channel, location: q.location, now, riskHorizonMinutes: config.RISK_HORIZON_MINUTES }));
  });

  router.get('/api/v1/kpis/live', requireRole('viewer'), async (req, res) => {
    z.strictObject({}).parse(req.query);
    res.json(await deps.live.readKpis());
  });

  return router;
}
