import { Router } from 'express';
import { z } from 'zod';
import { createApiKey, listApiKeys, revokeApiKey } from '../../db/queries/api-keys';
import { writeAudit } from '../../db/queries/audit';
import { TOWER_SOURCE } from '../../domain/events/internal';
import { envelopeSchema } from '../../domain/events/schemas';
import { actorOf } from '../auth/context';
import { newApiKey, sha256 } from '../auth/credentials';
import { requireRole } from '../auth/middleware';
import type { AppDeps } from '../deps';
import { notFound } from '../http-error';

const newKey = z.strictObject({
  name: z.string().trim().min(1).max(100),
  sources: z.array(envelopeSchema.shape.source.refine((s) => s !== TOWER_SOURCE, `"${TOWER_SOURCE}" is reserved for the tower's own events`)).min(1).max(100),
});

export function apiKeysRouter(deps: AppDeps): Router {
  const { sql } = deps;
  const router = Router();
  router.use('/api/v1/api-keys', requireRole('admin'));

  router.get('/api/v1/api-keys', async (_req, res) => {
    res.json({ apiKeys: await listApiKeys(sql) });
  });

  router.post('/api/v1/api-keys', async (req, res) => {
    const body = newKey.parse(req.body ?? {});
    const { key, prefix } = newApiKey();
    const createdBy = req.auth?.kind === 'user' ? req.auth.user.id : null;
    const sources = [...new Set(body.sources)];
    const created = await createApiKey(sql, { name: body.name, sources, keyHash: sha256(key), keyPrefix: prefix, createdBy });
    await writeAudit(sql, { ...actorOf(req.auth), action: 'api_key.create', targetKind: 'api_key', targetId: created.id, details: { name: created.name, sources }, ip: req.ip });
    // The only time the key is ever shown: only its hash is stored.
    res.status(201).json({ id: created.id, name: created.name, sources: created.sources, key });
  });

  router.delete('/api/v1/api-keys/:id', async (req, res) => {
    const id = z.uuid().safeParse(req.params.id);
    const revoked = id.success ? await revokeApiKey(sql, id.data) : null;
    if (!revoked) throw notFound(`API key ${req.params.id}`);
    await writeAudit(sql, { ...actorOf(req.auth), action: 'api_key.revoke', targetKind: 'api_key', targetId: revoked.id, ip: req.ip });
    res.status(204).end();
  });

  return router;
}
