import { Router, type Response } from 'express';
import { serialize } from 'cookie';
import { z } from 'zod';
import { writeAudit } from '../../db/queries/audit';
import { createDisplayLink, findDisplayLink, listDisplayLinks, revokeDisplayLink, touchDisplayLink } from '../../db/queries/display-links';
import { DISPLAY_COOKIE, WAR_ROOM_PATH, type CreatedDisplayLink } from '../../domain/display-links';
import { actorOf } from '../auth/context';
import { newDisplayToken, sha256 } from '../auth/credentials';
import { ownOrigin, requireRole } from '../auth/middleware';
import type { AppDeps } from '../deps';
import { notFound } from '../http-error';

const newLink = z.strictObject({ name: z.string().trim().min(1).max(100) });
const uuid = z.uuid();
/** 32 random bytes in base64url: anything else cannot be a token, and is refused without a lookup. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;
/**
 * A screen stays signed in until its link is revoked, never by idleness: the cookie lives as long
 * as browsers allow (400 days, RFC 6265bis) and is renewed each time the link is opened.
 */
export const DISPLAY_COOKIE_MAX_AGE_SECONDS = 400 * 24 * 3600;

const page = (title: string, text: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title></head>
<body style="font-family: system-ui, sans-serif; background: #0b1016; color: #e6edf3; padding: 3rem; font-size: 1.5rem">
<h1>${title}</h1><p>${text}</p></body></html>
`;

function sendPage(res: Response, status: number, title: string, text: string): void {
  res.status(status)
    .set({ 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'" })
    .send(page(title, text));
}

/**
 * Display links: an admin makes a revocable, read-only credential for a wall screen; opening its URL
 * on the screen (`GET /display/<token>`, public) stores the token in an HttpOnly cookie and lands on
 * the war room. Only the token's SHA-256 is stored.
 */
export function displayLinksRouter(deps: AppDeps): Router {
  const { sql, config, log } = deps;
  const router = Router();
  const secure = (reqSecure: boolean) => (config.COOKIE_SECURE === 'auto' ? reqSecure : config.COOKIE_SECURE === 'true');

  router.use('/api/v1/display-links', requireRole('admin'));

  router.get('/api/v1/display-links', async (_req, res) => {
    res.json({ displayLinks: await listDisplayLinks(sql) });
  });

  router.post('/api/v1/display-links', async (req, res) => {
    const body = newLink.parse(req.body ?? {});
    const token = newDisplayToken();
    const createdBy = req.auth?.kind === 'user' ? req.auth.user.id : null;
    const link = await createDisplayLink(sql, { name: body.name, tokenHash: sha256(token), createdBy });
    await writeAudit(sql, { ...actorOf(req.auth), action: 'display_link.create', targetKind: 'display_link', targetId: link.id, details: { name: link.name }, ip: req.ip });
    // The only time the token is ever shown: only its hash is stored.
    const created: CreatedDisplayLink = { id: link.id, name: link.name, url: `${ownOrigin(req, config.PUBLIC_ORIGIN)}/display/${token}`, token };
    res.status(201).setHeader('Cache-Control', 'no-store').json(created);
  });

  router.delete('/api/v1/display-links/:id', async (req, res) => {
    const id = uuid.safeParse(req.params.id);
    const revoked = id.success ? await revokeDisplayLink(sql, id.data) : null;
    if (!revoked) throw notFound(`display link ${req.params.id}`);
    await writeAudit(sql, {
      ...actorOf(req.auth), action: 'display_link.revoke', targetKind: 'display_link', targetId: revoked.link.id,
      details: { name: revoked.link.name, alreadyRevoked: !revoked.changed }, ip: req.ip,
    });
    res.status(204).end();
  });

  // Public: the token is the credential. The path carries it, so nothing here logs the path.
  router.get('/display/:token', async (req, res) => {
    const token = String(req.params.token);
    try {
      const link = TOKEN_SHAPE.test(token) ? await findDisplayLink(sql, sha256(token)) : null;
      if (!link) {
        sendPage(res, 401, 'This display link is not valid', 'It may have been revoked. Ask an administrator of the control tower for a new link.');
        return;
      }
      await touchDisplayLink(sql, link.id);
      await writeAudit(sql, { actorKind: 'display', actorId: link.id, actorLabel: link.name, action: 'display_link.open', targetKind: 'display_link', targetId: link.id, ip: req.ip });
      res.setHeader('Set-Cookie', serialize(DISPLAY_COOKIE, token, {
        httpOnly: true, sameSite: 'lax', path: '/', secure: secure(req.secure), maxAge: DISPLAY_COOKIE_MAX_AGE_SECONDS,
      }));
      res.setHeader('Cache-Control', 'no-store');
      res.redirect(303, WAR_ROOM_PATH);
    } catch (err) {
      log.warn({ err }, 'display link check failed');
      sendPage(res, 503, 'The control tower is not reachable', 'Reload this page in a moment.');
    }
  });

  return router;
}
