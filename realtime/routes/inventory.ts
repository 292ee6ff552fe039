import { createHash } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import { explainAts, readAvailability, readInventory, readInventoryOverview } from '../../db/queries/inventory-read';
import { identifier } from '../../domain/events/schemas';
import { requireAuth, requireRole } from '../auth/middleware';
import type { AppDeps } from '../deps';
import { HttpError, notFound } from '../http-error';

const inventoryQuery = z.strictObject({ sku: identifier.optional(), location: identifier.optional() });
const availabilityQuery = z.strictObject({ channel: identifier });
const explainQuery = z.strictObject({ sku: identifier, channel: identifier });
/** `hours`: the sell-rate window, 1 hour to 7 days. */
const overviewQuery = z.strictObject({
  sku: identifier.optional(),
  location: identifier.optional(),
  hours: z.coerce.number().int().min(1).max(168).default(24),
});

/** Strong: the same items give the same tag whenever they are read, whatever `asOf` says. */
const etagOf = (payload: unknown) => `"${createHash('sha256').update(JSON.stringify(payload)).digest('base64url')}"`;

/** If-None-Match compares weakly (RFC 9110 §13.1.2): a W/ prefix on the client's copy still matches. */
function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((candidate) => {
    const tag = candidate.trim();
    return tag === '*' || tag.replace(/^W\//, '') === etag;
  });
}

export function inventoryRouter(deps: AppDeps): Router {
  const { sql } = deps;
  const router = Router();

  router.get('/api/v1/inventory', requireRole('viewer'), async (req, res) => {
    const filter = inventoryQuery.parse(req.query);
    res.json(await readInventory(sql, filter));
  });

  router.get('/api/v1/inventory/overview', requireRole('viewer'), async (req, res) => {
    const q = overviewQuery.parse(req.query);
    res.json(await readInventoryOverview(sql, { skuPrefix: q.sku, location: q.location, windowHours: q.hours, now: new Date() }));
  });

  router.get('/api/v1/inventory/explain', requireRole('viewer'), async (req, res) => {
    const q = explainQuery.parse(req.query);
    const result = await explainAts(sql, q);
    if (!result.explanation) throw new HttpError(404, 'not_found', `${result.missing.join(' and ')} not found`);
    res.json(result.explanation);
  });

  // Channel connectors poll this with their API key; a user of any role may read it too.
  router.get('/api/v1/availability', requireAuth, async (req, res) => {
    const { channel } = availabilityQuery.parse(req.query);
    const items = await readAvailability(sql, channel);
    if (!items) throw notFound(`channel ${channel}`);
    const etag = etagOf(items);
    res.set({ ETag: etag, 'Cache-Control': 'private, no-cache' });
    if (matchesIfNoneMatch(req.get('if-none-match'), etag)) {
      res.status(304).end();
      return;
    }
    res.json({ channel, asOf: new Date().toISOString(), items });
  });

  return router;
}
