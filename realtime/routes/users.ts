import { Router } from 'express';
import { z } from 'zod';
import { writeAudit } from '../../db/queries/audit';
import { deleteUserSessions } from '../../db/queries/sessions';
import { countActiveAdmins, createUser, getUser, listUsers, updateUser } from '../../db/queries/users';
import { roles } from '../../domain/roles';
import { actorOf } from '../auth/context';
import { hashPassword } from '../auth/credentials';
import { requireRole } from '../auth/middleware';
import type { AppDeps } from '../deps';
import { HttpError, notFound } from '../http-error';
import { LOCKS } from '../../db/locks';

const newUser = z.strictObject({
  email: z.email().max(254),
  password: z.string().min(12, 'must be at least 12 characters').max(1024),
  role: z.enum(roles),
});
const patchUser = z
  .strictObject({ role: z.enum(roles).optional(), disabled: z.boolean().optional() })
  .refine((p) => p.role !== undefined || p.disabled !== undefined, 'send role and/or disabled');
const uuid = z.uuid();

export function usersRouter(deps: AppDeps): Router {
  const { sql } = deps;
  const router = Router();
  router.use('/api/v1/users', requireRole('admin'));

  router.get('/api/v1/users', async (_req, res) => {
    res.json({ users: await listUsers(sql) });
  });

  router.post('/api/v1/users', async (req, res) => {
    const body = newUser.parse(req.body ?? {});
    const user = await createUser(sql, { email: body.email, passwordHash: await hashPassword(body.password), role: body.role });
    if (!user) throw new HttpError(409, 'conflict', `a user with email ${body.email.toLowerCase()} exists already`);
    await writeAudit(sql, { ...actorOf(req.auth), action: 'user.create', targetKind: 'user', targetId: user.id, details: { email: user.email, role: user.role }, ip: req.ip });
    res.status(201).json({ user });
  });

  router.patch('/api/v1/users/:id', async (req, res) => {
    const id = uuid.safeParse(req.params.id);
    if (!id.success) throw notFound(`user ${req.params.id}`);
    const patch = patchUser.parse(req.body ?? {});
    const user = await sql.begin(async (tx) => {
      // Serialise admin changes so two concurrent demotions cannot leave the tower without an admin.
      await tx`SELECT pg_advisory_xact_lock(${LOCKS.userAdmin})`;
      const before = await getUser(tx, id.data);
      if (!before) throw notFound(`user ${id.data}`);
      const losesAdmin = before.role === 'admin' && !before.disabled && (patch.disabled === true || (patch.role && patch.role !== 'admin'));
      if (losesAdmin && (await countActiveAdmins(tx)) <= 1) {
        throw new HttpError(409, 'last_admin', 'this is the last active admin: make another admin first');
      }
      const after = await updateUser(tx, id.data, patch);
      if (patch.disabled === true || (patch.role && patch.role !== before.role)) await deleteUserSessions(tx, id.data);
      await writeAudit(tx, { ...actorOf(req.auth), action: 'user.update', targetKind: 'user', targetId: id.data, details: { before: { role: before.role, disabled: before.disabled }, patch }, ip: req.ip });
      return after;
    });
    res.json({ user });
  });

  return router;
}
