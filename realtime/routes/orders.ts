import { Router } from 'express';
import { z } from 'zod';
import { readOrder } from '../../db/queries/orders-read';
import { identifier } from '../../domain/events/schemas';
import { requireRole } from '../auth/middleware';
import type { AppDeps } from '../deps';
import { notFound } from '../http-error';

const orderParams = z.object({ orderId: identifier });

export function ordersRouter(deps: AppDeps): Router {
  const { sql } = deps;
  const router = Router();

  router.get('/api/v1/orders/:orderId', requireRole('viewer'), async (req, res) => {
    const { orderId } = orderParams.parse(req.params);
    const order = await readOrder(sql, orderId);
    if (!order) throw notFound(`order ${orderId}`);
    res.json(order);
  });

  return router;
}
