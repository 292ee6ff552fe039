import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import type { Logger } from 'pino';
import type { Sql } from '../db/connect';
import { findSessionUser } from '../db/queries/sessions';
import { diffOverview } from '../domain/live/aggregates';
import type { OverviewSnapshot } from '../domain/live/overview';
import type { ClientToServerEvents, PublicUser, ServerToClientEvents } from '../domain/realtime-contract';
import type { LiveAggregates } from '../jobs/live-aggregates';
import { sessionTokenFrom } from './auth/middleware';
import { sha256 } from './auth/credentials';

interface SocketData {
  user: PublicUser;
  tokenHash: string;
}

export type TowerIo = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

const OVERVIEW_ROOM = 'overview';
const SESSION_RECHECK_MS = 30_000;

/**
 * Socket.IO for the dashboard. Every connection needs a live session; a browser connection must come
 * from our own origin. One broadcaster per process reads the aggregates once per tick and sends the
 * room a delta only when something changed, so a browser gets at most 1000/pushIntervalMs messages a
 * second however many events arrive.
 */
export function attachSocketServer(opts: {
  httpServer: HttpServer;
  sql: Sql;
  live: LiveAggregates;
  log: Logger;
  pushIntervalMs: number;
  publicOrigin?: string;
}): { io: TowerIo; close(): Promise<void> } {
  const { sql, live, log } = opts;
  const io: TowerIo = new Server(opts.httpServer, {
    serveClient: false,
    allowRequest: (req, callback) => {
      const origin = req.headers.origin;
      if (!origin) return callback(null, true);
      const own = opts.publicOrigin ?? `${(req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http'}://${req.headers.host}`;
      callback(origin === own ? null : 'cross-origin connection refused', origin === own);
    },
  });

  io.use(async (socket, next) => {
    try {
      const token = sessionTokenFrom(socket.handshake.headers.cookie);
      const tokenHash = token ? sha256(token) : null;
      const user = tokenHash ? await findSessionUser(sql, tokenHash) : null;
      if (!user || !tokenHash) return next(new Error('unauthorized'));
      socket.data = { user, tokenHash };
      next();
    } catch (err) {
      log.warn({ err }, 'socket authentication failed');
      next(new Error('unavailable'));
    }
  });

  let last: OverviewSnapshot | null = null;
  io.on('connection', async (socket) => {
    await socket.join(OVERVIEW_ROOM);
    try {
      const snapshot = await live.readOverview();
      socket.emit('overview.snapshot', snapshot);
    } catch (err) {
      log.warn({ err }, 'could not send the overview snapshot');
    }
  });

  let ticking = false;
  const push = setInterval(async () => {
    if (ticking || (io.sockets.adapter.rooms.get(OVERVIEW_ROOM)?.size ?? 0) === 0) return;
    ticking = true;
    try {
      const next = await live.readOverview();
      const delta = diffOverview(last, next);
      last = next;
      if (delta) io.to(OVERVIEW_ROOM).emit('overview.delta', delta);
    } catch (err) {
      log.warn({ err }, 'overview push failed');
    } finally {
      ticking = false;
    }
  }, opts.pushIntervalMs);

  // A signed-out or disabled user's open sockets are closed, not left streaming.
  const recheck = setInterval(async () => {
    for (const socket of await io.fetchSockets()) {
      const user = await findSessionUser(sql, socket.data.tokenHash).catch(() => undefined);
      if (user === null) {
        socket.emit('session.ended', { reason: 'signed out or session expired' });
        socket.disconnect(true);
      }
    }
  }, SESSION_RECHECK_MS);

  return {
    io,
    async close() {
      clearInterval(push);
      clearInterval(recheck);
      await new Promise<void>((resolve) => io.close(() => resolve()));
    },
  };
}
