import { Router } from 'express';
import { z } from 'zod';
import { decodeOrderCursor, readOrder, searchOrders } from '../../db/queries/orders-read';
import { identifier } from '../../domain/events/schemas';
import { orderStatuses } from '../../domain/orders/status';
import { requireRole } from '../auth/middleware';
import type { AppDeps } from '../deps';
import { badRequest, notFound } from '../http-error';

const orderParams = z.object({ orderId: identifier });
const statusList = z
  .string()
  .max(300)
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
  .pipe(z.array(z.enum(orderStatuses as [string, ...string[]])).min(1));
const searchQuery = z.strictObject({
  q: identifier.optional(),
  sku: identifier.optional(),
  channel: identifier.optional(),
  status: statusList.optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export function ordersRouter(deps: AppDeps): Router {
  const { sql } = deps;
  const router = Router();

  router.get('/api/v1/orders', requireRole('viewer'), async (req, res) => {
    const q = searchQuery.parse(req.query);
    const cursor = q.cursor === undefined ? null : decodeOrderCursor(q.cursor);
    if (q.cursor !== undefined && !cursor) throw badRequest('cursor is not one this API returned', [{ path: 'cursor', message: 'unknown cursor' }]);
    res.json(await searchOrders(sql, { idPrefix: q.q, sku: q.sku, channel: q.channel, statuses: q.status }, q.limit, cursor));
  });

  router.get('/api/v1/orders/:orderId', requireRole('viewer'), async (req, res) => {
    const { orderId } = orderParams.parse(req.params);
    const order = await readOrder(sql, orderId);
    if (!order) throw notFound(`order ${orderId}`);
    res.json(order);
  });

  return router;
}
