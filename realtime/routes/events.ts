import express, { Router, type Request } from 'express';
import { insertEvents } from '../../db/queries/events';
import { recordSourceActivity } from '../../db/queries/feeds';
import { validateEvent, type FieldError, type TowerEvent } from '../../domain/events/validate';
import { enqueueApply } from '../../jobs/queues';
import { requireApiKey, requireAuth } from '../auth/middleware';
import type { AppDeps } from '../deps';
import { forbidden, HttpError, notFound } from '../http-error';
import { rateHit } from '../rate-limit';
import { isUnavailable, serviceUnavailable } from '../unavailable';

interface Rejection {
  index: number;
  id?: string;
  errors: FieldError[];
}

/** Parses one event, a JSON array of events, or NDJSON; a syntax error anywhere is a 400 for the whole body. */
export function parseEventsBody(req: Request, maxEvents: number): unknown[] {
  const text = typeof req.body === 'string' ? req.body : '';
  if (text.trim() === '') throw new HttpError(400, 'empty_body', 'the request body is empty: send one event, a JSON array of events, or NDJSON');
  let items: unknown[];
  if (req.is('application/x-ndjson')) {
    items = [];
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.trim();
      if (line === '') continue;
      try {
        items.push(JSON.parse(line));
      } catch (err) {
        throw new HttpError(400, 'malformed_ndjson', `line ${i + 1} is not valid JSON: ${(err as Error).message}`, { line: i + 1 });
      }
    }
  } else {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new HttpError(400, 'malformed_json', `the body is not valid JSON: ${(err as Error).message}`);
    }
    items = Array.isArray(parsed) ? parsed : [parsed];
  }
  if (items.length === 0) throw new HttpError(400, 'empty_body', 'the request holds no events');
  if (items.length > maxEvents) {
    throw new HttpError(413, 'too_many_events', `at most ${maxEvents} events per request; this one has ${items.length}`);
  }
  return items;
}

export function eventsRouter(deps: AppDeps): Router {
  const { config, sql, redis, queue, metrics, log } = deps;
  const router = Router();

  router.post(
    '/api/v1/events',
    requireApiKey,
    async (req, _res, next) => {
      const apiKey = req.auth!.kind === 'api_key' ? req.auth!.apiKey : null;
      const window = Math.floor(Date.now() / 1000);
      const rate = await rateHit(redis, `${config.REDIS_PREFIX}:rate:ingest:${apiKey!.id}:${window}`, config.INGEST_RATE_LIMIT, 1);
      if (!rate.allowed) {
        throw new HttpError(429, 'rate_limited', `more than ${config.INGEST_RATE_LIMIT} requests per second for this key`, undefined, { 'Retry-After': String(rate.retryAfterSeconds) });
      }
      if (deps.isShuttingDown()) throw serviceUnavailable('the tower is shutting down');
      next();
    },
    express.text({ type: () => true, limit: config.INGEST_MAX_BYTES }),
    async (req, res) => {
      const apiKey = req.auth!.kind === 'api_key' ? req.auth!.apiKey : null;
      const items = parseEventsBody(req, config.INGEST_MAX_EVENTS);
      const now = new Date();
      const rejected: Rejection[] = [];
      const valid: { index: number; event: TowerEvent }[] = [];
      items.forEach((raw, index) => {
        const v = validateEvent(raw, now, config.MAX_FUTURE_SKEW_MS);
        if (v.ok) valid.push({ index, event: v.event });
        else rejected.push({ index, ...(v.id !== undefined ? { id: v.id } : {}), errors: v.errors });
      });

      const foreign = valid.filter((v) => !apiKey!.sources.includes(v.event.source));
      if (foreign.length > 0) {
        throw new HttpError(403, 'source_not_allowed', `this API key may send only for ${apiKey!.sources.join(', ')}`, {
          events: foreign.slice(0, 100).map((f) => ({ index: f.index, id: f.event.id, source: f.event.source })),
        });
      }

      // The first of several events with one idempotency key in a request wins; the rest are duplicates.
      const seen = new Set<string>();
      const unique = valid.filter((v) => {
        const key = `${v.event.source}\u0000${v.event.id}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });

      let inserted;
      try {
        inserted = await sql.begin((tx) => insertEvents(tx, unique.map((u) => u.event), apiKey!.id));
      } catch (err) {
        if (isUnavailable(err)) throw serviceUnavailable('the database is not reachable');
        throw err;
      }
      const seqs = inserted.map((i) => i.seq);
      // Durable now. Handing over to the queue is best effort: if Redis is away the sweeper does it.
      await withTimeout(enqueueApply(queue, seqs, (chunk) => `ingest-${chunk[0]}`), 2000).catch((err) =>
        log.warn({ err, events: seqs.length }, 'enqueue failed; the sweeper will hand these events over'),
      );
      // Every source heard from counts as alive (duplicates too: a retrying source is still sending).
      // Best effort: the events are durable, and a missed minute only makes a feed look quieter.
      await recordSourceActivity(sql, now, unique.map((u) => u.event.source)).catch((err) =>
        log.warn({ err }, 'source activity not recorded'),
      );

      const accepted = inserted.length;
      const duplicates = valid.length - accepted;
      metrics.accepted.inc(accepted);
      metrics.duplicates.inc(duplicates);
      metrics.rejected.inc(rejected.length);
      res.status(202).json({ accepted, duplicates, rejected });
    },
  );

  router.get('/api/v1/events/:source/:id', requireAuth, async (req, res) => {
    const source = String(req.params.source);
    if (req.auth!.kind === 'api_key' && !req.auth!.apiKey.sources.includes(source)) {
      throw forbidden(`this API key may read only ${req.auth!.apiKey.sources.join(', ')}`);
    }
    const [row] = await sql`
      SELECT seq, type, occurred_at, accepted_at, applied_at, apply_error
      FROM events WHERE source = ${source} AND event_id = ${String(req.params.id)}`;
    if (!row) throw notFound(`event (${source}, ${req.params.id})`);
    res.json({
      source,
      id: req.params.id,
      seq: String(row.seq),
      type: row.type,
      occurredAt: row.occurred_at.toISOString(),
      acceptedAt: row.accepted_at.toISOString(),
      appliedAt: row.applied_at?.toISOString() ?? null,
      applyError: row.apply_error,
    });
  });

  return router;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    p.then((v) => { clearTimeout(t); resolve(v); }, (e) => { clearTimeout(t); reject(e); });
  });
}
