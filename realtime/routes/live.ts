import { Router } from 'express';
import { requireRole } from '../auth/middleware';
import type { AppDeps } from '../deps';

export function liveRouter(deps: AppDeps): Router {
  const router = Router();
  router.get('/api/v1/live/overview', requireRole('viewer'), async (_req, res) => {
    res.json(await deps.live.readOverview());
  });
  return router;
}
