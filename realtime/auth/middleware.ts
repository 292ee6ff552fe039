import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import { parse as parseCookie } from 'cookie';
import type { Sql } from '../../db/connect';
import { findApiKey, touchApiKey } from '../../db/queries/api-keys';
import { findDisplayLink, touchDisplayLink } from '../../db/queries/display-links';
import { findSessionUser } from '../../db/queries/sessions';
import { roleAtLeast, type Role } from '../../domain/roles';
import { forbidden, HttpError, unauthorized } from '../http-error';
import { DISPLAY_COOKIE, SESSION_COOKIE } from './context';
import { sha256 } from './credentials';

export function sessionTokenFrom(cookieHeader: string | undefined): string | undefined {
  return cookieHeader ? parseCookie(cookieHeader)[SESSION_COOKIE] : undefined;
}

export function displayTokenFrom(cookieHeader: string | undefined): string | undefined {
  return cookieHeader ? parseCookie(cookieHeader)[DISPLAY_COOKIE] : undefined;
}

/**
 * Resolves `req.auth` from a Bearer API key, the session cookie, or (only when no live session
 * answers) the display cookie; rejects nothing by itself.
 */
export function authenticate(sql: Sql): RequestHandler {
  return async (req, _res, next) => {
    const header = req.get('authorization');
    if (header) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match) throw unauthorized('the Authorization header must be "Bearer <api key>"');
      const apiKey = await findApiKey(sql, sha256(match[1]!));
      if (!apiKey) throw unauthorized('unknown or revoked API key');
      req.auth = { kind: 'api_key', apiKey };
      void touchApiKey(sql, apiKey.id).catch(() => {});
      return next();
    }
    const token = sessionTokenFrom(req.get('cookie'));
    if (token) {
      const tokenHash = sha256(token);
      const user = await findSessionUser(sql, tokenHash);
      if (user) {
        req.auth = { kind: 'user', user, tokenHash };
        return next();
      }
    }
    const displayToken = displayTokenFrom(req.get('cookie'));
    if (displayToken) {
      const link = await findDisplayLink(sql, sha256(displayToken));
      if (link) {
        req.auth = { kind: 'display', link };
        void touchDisplayLink(sql, link.id).catch(() => {});
      }
    }
    next();
  };
}

const READ_METHODS = new Set(['GET', 'HEAD']);

/**
 * A signed-in user with at least `minimum`; API keys are for machines and get 403 here. A display
 * passes only where a viewer would and only to read (GET, HEAD): everything else is 403.
 */
export function requireRole(minimum: Role): RequestHandler {
  return (req, _res, next) => {
    const auth = req.auth;
    if (!auth) throw unauthorized();
    if (auth.kind === 'display') {
      if (minimum === 'viewer' && READ_METHODS.has(req.method)) return next();
      throw forbidden('a display link may only read what a viewer sees');
    }
    if (auth.kind !== 'user') throw forbidden('this endpoint needs a signed-in user, not an API key');
    if (!roleAtLeast(auth.user.role, minimum)) {
      throw forbidden(`this needs the ${minimum} role; you are ${auth.user.role}`);
    }
    next();
  };
}

/** Any signed-in user or API key. A display is not let through: it reads only the views' own endpoints. */
export const requireAuth: RequestHandler = (req, _res, next) => {
  if (!req.auth) throw unauthorized();
  if (req.auth.kind === 'display') throw forbidden('a display link may only read what a viewer sees');
  next();
};

export const requireApiKey: RequestHandler = (req, _res, next) => {
  if (!req.auth) throw unauthorized();
  if (req.auth.kind !== 'api_key') throw forbidden('sending events needs an API key (Authorization: Bearer <key>)');
  next();
};

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * The tower's own origin as the browser sees it: PUBLIC_ORIGIN when configured, else the request's
 * Host with its scheme; a proxy on loopback that terminates TLS is believed via X-Forwarded-Proto.
 * Used alike by the CSRF check and the Socket.IO handshake.
 */
export function ownOrigin(req: IncomingMessage, publicOrigin: string | undefined): string {
  if (publicOrigin) return new URL(publicOrigin).origin;
  const forwarded = req.headers['x-forwarded-proto'];
  const viaProxy = LOOPBACK.has(req.socket.remoteAddress ?? '') && typeof forwarded === 'string';
  const scheme = viaProxy ? forwarded.split(',')[0]!.trim() : (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  return `${scheme}://${req.headers.host}`;
}

/**
 * CSRF: a state-changing request carrying the session (or display) cookie must come from our own
 * pages, i.e. carry an Origin equal to ours. API-key requests carry no ambient credential and are exempt.
 */
export function csrfProtection(publicOrigin: string | undefined): RequestHandler {
  return (req, _res, next) => {
    if (SAFE_METHODS.has(req.method) || req.get('authorization')) return next();
    const cookie = req.get('cookie');
    if (!sessionTokenFrom(cookie) && !displayTokenFrom(cookie)) return next();
    if (req.get('origin') !== ownOrigin(req, publicOrigin)) {
      throw new HttpError(403, 'csrf', 'cross-site request refused: the Origin header must be this tower\'s own origin');
    }
    next();
  };
}
