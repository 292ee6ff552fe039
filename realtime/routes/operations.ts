import { Router } from 'express';
import { z } from 'zod';
import { readOperations } from '../../db/queries/operations-read';
import { requireRole } from '../auth/middleware';
import type { AppDeps } from '../deps';

const query = z.strictObject({ limit: z.coerce.number().int().min(1).max(200).default(25) });

export function operationsRouter(deps: AppDeps): Router {
  const router = Router();

  /** The operations board: orders still to ship by status and channel, and the orders at risk of missing their promise. */
  router.get('/api/v1/operations', requireRole('viewer'), async (req, res) => {
    const { limit } = query.parse(req.query);
    res.json(await readOperations(deps.sql, new Date(), deps.config.RISK_HORIZON_MINUTES, limit));
  });

  return router;
}
