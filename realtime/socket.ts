import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import type { Logger } from 'pino';
import type { Sql } from '../db/connect';
import { diffOverview } from '../domain/live/aggregates';
import type { OverviewSnapshot } from '../domain/live/overview';
import type { ClientToServerEvents, ServerToClientEvents } from '../domain/realtime-contract';
import type { LiveAggregates } from '../jobs/live-aggregates';
import type { ExceptionLive } from '../jobs/exception-live';
import { exceptionsByIds } from '../db/queries/exceptions';
import { roleAtLeast } from '../domain/roles';
import { ownOrigin } from './auth/middleware';
import { displayRoom, identifySocket, stillSignedIn, type SocketIdentity } from './socket-auth';
import { kpiChanges } from './kpi-push';

/** A user's socket has `user`; a wall screen's (display link) has `display` and sees the overview room only. */
type SocketData = SocketIdentity;

export type TowerIo = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

const OVERVIEW_ROOM = 'overview';
/** Supervisors and admins: they are told about escalations. */
const SUPERVISORS_ROOM = 'supervisors';
/** Summary counts are recomputed at most this often while exceptions change, and this often anyway (overdue counts move with time). */
const SUMMARY_MIN_MS = 1_000;
const SUMMARY_IDLE_MS = 5_000;
const PUSH_CHUNK = 500;
const SESSION_RECHECK_MS = 30_000;
/**
 * A client that drops for less than this gets its missed pushes replayed (Socket.IO connection-state
 * recovery); longer, and it gets a fresh snapshot as on any connect.
 */
const RECOVERY_WINDOW_MS = 2 * 60_000;
/** When nothing changes, a tiles-only delta still goes out this often, so an idle screen is not mistaken for a stale one. */
const HEARTBEAT_MS = 2_000;

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
  exceptionLive: ExceptionLive;
  log: Logger;
  pushIntervalMs: number;
  publicOrigin?: string;
}): { io: TowerIo; close(): Promise<void> } {
  const { sql, live, log, exceptionLive } = opts;
  const io: TowerIo = new Server(opts.httpServer, {
    serveClient: false,
    // The handshake middleware runs again on a recovered connection: a revoked link or an ended session must not come back.
    connectionStateRecovery: { maxDisconnectionDuration: RECOVERY_WINDOW_MS, skipMiddlewares: false },
    allowRequest: (req, callback) => {
      // Browsers always send Origin; a client without one (a script) still needs a session cookie.
      const origin = req.headers.origin;
      if (!origin) return callback(null, true);
      const ok = origin === ownOrigin(req, opts.publicOrigin);
      callback(ok ? null : 'cross-origin connection refused', ok);
    },
  });

  io.use(async (socket, next) => {
    try {
      const who = await identifySocket(sql, socket.handshake.headers.cookie);
      if (!who) return next(new Error('unauthorized'));
      socket.data = who;
      next();
    } catch (err) {
      log.warn({ err }, 'socket authentication failed');
      next(new Error('unavailable'));
    }
  });

  let last: OverviewSnapshot | null = null;
  let lastSentAt = 0;
  io.on('connection', async (socket) => {
    // A recovered socket comes back with its old rooms; they are decided again from who it is now.
    for (const room of [...socket.rooms]) if (room !== socket.id) await socket.leave(room);
    await socket.join(OVERVIEW_ROOM);
    const { user, display } = socket.data;
    if (user && roleAtLeast(user.role, 'supervisor')) await socket.join(SUPERVISORS_ROOM);
    if (display) await socket.join(displayRoom(display.id));
    exceptionLive.read().then((s) => socket.emit('exceptions.summary', s), (err) => log.warn({ err }, 'could not send the exception summary'));
    live.readKpis().then((k) => socket.emit('kpis.live', k), (err) => log.warn({ err }, 'could not send the live KPIs'));
    try {
      const snapshot = await live.readOverview();
      socket.emit('overview.snapshot', snapshot);
      // Deltas carry whole minute values, so a client may apply one computed against an older baseline.
      last ??= snapshot;
    } catch (err) {
      log.warn({ err }, 'could not send the overview snapshot');
    }
  });

  // Exceptions: PostgreSQL announces every change on commit (triggers of migration 0003); the ids
  // are collected and the rows pushed once per interval, so a burst of changes is one message.
  const changed = new Set<string>();
  const escalated = new Set<string>();
  const listening = Promise.all([
    sql.listen('tower_exceptions', (id) => changed.add(id)),
    sql.listen('tower_escalations', (id) => escalated.add(id)),
    // A revoked display link (trigger of migration 0007): its screens are closed now, not at the next recheck.
    sql.listen('tower_display_revoked', (id) => {
      io.to(displayRoom(id)).emit('session.ended', { reason: 'this display link was revoked' });
      io.in(displayRoom(id)).disconnectSockets(true);
    }),
  ]).catch((err) => {
    log.warn({ err }, 'cannot listen for exception changes; live exception updates are off');
    return [];
  });
  let summaryAt = 0;
  let summaryDirty = true;
  const pushExceptions = async () => {
    const ids = [...changed];
    changed.clear();
    const up = [...escalated];
    escalated.clear();
    if (ids.length > 0) summaryDirty = true;
    if (io.engine.clientsCount === 0) return;
    for (let i = 0; i < ids.length; i += PUSH_CHUNK) {
      const items = await exceptionsByIds(sql, ids.slice(i, i + PUSH_CHUNK));
      if (items.length > 0) io.emit('exceptions.changed', { items });
    }
    if (up.length > 0) {
      const items = await exceptionsByIds(sql, up.slice(0, PUSH_CHUNK));
      if (items.length > 0) io.to(SUPERVISORS_ROOM).emit('exceptions.escalated', { items });
    }
    const now = Date.now();
    if ((summaryDirty && now - summaryAt >= SUMMARY_MIN_MS) || now - summaryAt >= SUMMARY_IDLE_MS) {
      summaryAt = now;
      summaryDirty = false;
      io.emit('exceptions.summary', await exceptionLive.refresh(new Date(now)));
    }
  };

  // Chained timeouts, not setInterval: a slow tick must not be followed by a quick one, so pushes
  // are always at least pushIntervalMs apart.
  let stopped = false;
  let pushTimer: NodeJS.Timeout | null = null;
  const kpis = kpiChanges(live);
  const tick = async () => {
    try {
      if ((io.sockets.adapter.rooms.get(OVERVIEW_ROOM)?.size ?? 0) > 0) {
        const next = await live.readOverview();
        const delta = diffOverview(last, next) ?? (Date.now() - lastSentAt >= HEARTBEAT_MS
          ? { asOf: next.asOf, tiles: next.tiles, minutes: [], channels: next.channels }
          : null);
        last = next;
        if (delta) {
          io.to(OVERVIEW_ROOM).emit('overview.delta', delta);
          lastSentAt = Date.now();
        }
      }
    } catch (err) {
      log.warn({ err }, 'overview push failed');
    }
    if ((io.sockets.adapter.rooms.get(OVERVIEW_ROOM)?.size ?? 0) > 0) {
      await kpis.changed().then((k) => k && io.to(OVERVIEW_ROOM).emit('kpis.live', k), (err) => log.warn({ err }, 'kpi push failed'));
    }
    try {
      await pushExceptions();
    } catch (err) {
      log.warn({ err }, 'exception push failed');
    } finally {
      if (!stopped) pushTimer = setTimeout(tick, opts.pushIntervalMs);
    }
  };
  pushTimer = setTimeout(tick, opts.pushIntervalMs);

  // A signed-out or disabled user's open sockets are closed, not left streaming; so are a revoked link's.
  const recheck = setInterval(async () => {
    for (const socket of await io.fetchSockets()) {
      if ((await stillSignedIn(sql, socket.data)) === false) {
        socket.emit('session.ended', { reason: socket.data.display ? 'this display link was revoked' : 'signed out or session expired' });
        socket.disconnect(true);
      }
    }
  }, SESSION_RECHECK_MS);

  return {
    io,
    async close() {
      stopped = true;
      if (pushTimer) clearTimeout(pushTimer);
      for (const l of await listening) await l.unlisten().catch(() => {});
      clearInterval(recheck);
      await new Promise<void>((resolve) => io.close(() => resolve()));
    },
  };
}
