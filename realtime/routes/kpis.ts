import { Router } from 'express';
import { z } from 'zod';
import { readKpis } from '../../db/queries/kpis';
import { kpiDimensionKeys } from '../../db/queries/kpis-now';
import { identifier } from '../../domain/events/schemas';
import { MAX_SERIES_BUCKETS, SERIES_BUCKETS, seriesBuckets } from '../../domain/kpis/series';
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

const seriesQuery = z.strictObject({
  from: timestamp,
  to: timestamp,
  bucket: z.enum(SERIES_BUCKETS),
  channel: identifier.optional(),
  location: identifier.optional(),
});

/** The KPIs: exact for any window from PostgreSQL, and live (15 min, 60 min, today) from Redis. */
export function kpisRouter(deps: AppDeps): Router {
  const { sql, config } = deps;
  const router = Router();

  async function requireKnown(q: { channel?: string; location?: string }): Promise<void> {
    if (q.channel === undefined && q.location === undefined) return;
    const known = await kpiDimensionKeys(sql);
    const missing = [
      ...(q.channel !== undefined && !known.channels.includes(q.channel) ? [`channel ${q.channel}`] : []),
      ...(q.location !== undefined && !known.locations.includes(q.location) ? [`location ${q.location}`] : []),
    ];
    if (missing.length > 0) throw notFound(missing.join(' and '));
  }

  router.get('/api/v1/kpis', requireRole('viewer'), async (req, res) => {
    const q = kpiQuery.parse(req.query);
    const now = new Date();
    const today = businessDay(now.getTime(), config.BUSINESS_TIMEZONE);
    const from = q.from !== undefined ? new Date(q.from) : new Date(today.fromMs);
    const to = q.to !== undefined ? new Date(q.to) : new Date(today.toMs);
    await requireKnown(q);
    res.json(await readKpis(sql, { from, to, channel: q.channel, location: q.location, now, riskHorizonMinutes: config.RISK_HORIZON_MINUTES }));
  });

  /** The exact KPIs per hour or business day of `[from, to)`: one `readKpis` per bucket, at most 48 buckets. */
  router.get('/api/v1/kpis/series', requireRole('viewer'), async (req, res) => {
    const q = seriesQuery
      .superRefine((v, ctx) => {
        const range = { fromMs: Date.parse(v.from), toMs: Date.parse(v.to) };
        const problems = windowProblems(range);
        for (const p of problems) ctx.addIssue({ code: 'custom', path: [p.path], message: p.message });
        if (problems.length === 0 && seriesBuckets(range, v.bucket, config.BUSINESS_TIMEZONE).length > MAX_SERIES_BUCKETS) {
          ctx.addIssue({ code: 'custom', path: ['to'], message: `must be at most ${MAX_SERIES_BUCKETS} ${v.bucket}s after from` });
        }
      })
      .parse(req.query);
    await requireKnown(q);
    const now = new Date();
    const buckets = seriesBuckets({ fromMs: Date.parse(q.from), toMs: Date.parse(q.to) }, q.bucket, config.BUSINESS_TIMEZONE);
    const points = [];
    for (const b of buckets) {
      const report = await readKpis(sql, {
        from: new Date(b.fromMs), to: new Date(b.toMs), channel: q.channel, location: q.location, now, riskHorizonMinutes: config.RISK_HORIZON_MINUTES,
      });
      points.push({ from: report.from, to: report.to, kpis: report.kpis });
    }
    res.json({ bucket: q.bucket, points });
  });

  router.get('/api/v1/kpis/live', requireRole('viewer'), async (req, res) => {
    z.strictObject({}).parse(req.query);
    res.json(await deps.live.readKpis());
  });

  return router;
}
