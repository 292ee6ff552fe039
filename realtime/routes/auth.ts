import { Router, type Response } from 'express';
import { serialize } from 'cookie';
import { z } from 'zod';
import { writeAudit } from '../../db/queries/audit';
import { createSession, deleteSession } from '../../db/queries/sessions';
import { findUserForLogin } from '../../db/queries/users';
import { actorOf, SESSION_COOKIE } from '../auth/context';
import { dummyPasswordHash, newSessionToken, sha256, verifyPassword } from '../auth/credentials';
import { requireRole } from '../auth/middleware';
import type { AppDeps } from '../deps';
import { HttpError } from '../http-error';
import { rateHit, rateReset } from '../rate-limit';

const loginBody = z.strictObject({ email: z.string().min(3).max(254), password: z.string().min(1).max(1024) });

export function authRouter(deps: AppDeps): Router {
  const { sql, redis, config } = deps;
  const router = Router();
  const secure = (reqSecure: boolean) => (config.COOKIE_SECURE === 'auto' ? reqSecure : config.COOKIE_SECURE === 'true');
  const setCookie = (res: Response, value: string, maxAgeSeconds: number, reqSecure: boolean) =>
    res.setHeader('Set-Cookie', serialize(SESSION_COOKIE, value, {
      httpOnly: true, sameSite: 'lax', path: '/', secure: secure(reqSecure), maxAge: maxAgeSeconds,
    }));

  router.post('/api/v1/auth/login', async (req, res) => {
    const body = loginBody.parse(req.body ?? {});
    const email = body.email.toLowerCase();
    // Both limits: one address guessed from many places, and one place guessing many addresses.
    const keys = [`${config.REDIS_PREFIX}:rate:login:email:${sha256(email)}`, `${config.REDIS_PREFIX}:rate:login:ip:${req.ip}`];
    for (const [i, key] of keys.entries()) {
      const limit = i === 0 ? config.LOGIN_MAX_ATTEMPTS : config.LOGIN_MAX_ATTEMPTS * 4;
      const d = await rateHit(redis, key, limit, config.LOGIN_WINDOW_SECONDS);
      if (!d.allowed) {
        throw new HttpError(429, 'rate_limited', 'too many sign-in attempts; wait and try again', undefined, { 'Retry-After': String(d.retryAfterSeconds) });
      }
    }
    const user = await findUserForLogin(sql, email);
    const ok = await verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), body.password);
    if (!user || !ok || user.disabled) {
      await writeAudit(sql, { actorKind: 'system', actorId: null, actorLabel: email, action: 'auth.login_failed', ip: req.ip });
      throw new HttpError(401, 'invalid_credentials', 'wrong email or password, or the account is disabled');
    }
    await rateReset(redis, keys[0]!);
    const token = newSessionToken();
    await createSession(sql, { tokenHash: sha256(token), userId: user.id, ttlHours: config.SESSION_TTL_HOURS });
    await writeAudit(sql, { actorKind: 'user', actorId: user.id, actorLabel: user.email, action: 'auth.login', targetKind: 'user', targetId: user.id, ip: req.ip });
    setCookie(res, token, config.SESSION_TTL_HOURS * 3600, req.secure);
    const { passwordHash: _ph, ...publicUser } = user;
    res.json({ user: publicUser });
  });

  router.post('/api/v1/auth/logout', requireRole('viewer'), async (req, res) => {
    const auth = req.auth!;
    if (auth.kind === 'user') await deleteSession(sql, auth.tokenHash);
    await writeAudit(sql, { ...actorOf(auth), action: 'auth.logout', targetKind: 'user', targetId: auth.kind === 'user' ? auth.user.id : undefined, ip: req.ip });
    setCookie(res, '', 0, req.secure);
    res.status(204).end();
  });

  // A wall screen signed in by a display link has no user: the dashboard shows it the war room only.
  router.get('/api/v1/auth/me', requireRole('viewer'), (req, res) => {
    const auth = req.auth!;
    if (auth.kind === 'display') {
      res.json({ user: null, display: { id: auth.link.id, name: auth.link.name } });
      return;
    }
    res.json({ user: auth.kind === 'user' ? auth.user : null });
  });

  return router;
}
