import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import { authenticate, csrfProtection } from './auth/middleware';
import type { AppDeps } from './deps';
import { errorHandler, notFoundHandler } from './error-middleware';
import { apiKeysRouter } from './routes/api-keys';
import { authRouter } from './routes/auth';
import { displayLinksRouter } from './routes/display-links';
import { eventsRouter } from './routes/events';
import { exceptionsRouter } from './routes/exceptions';
import { healthRouter } from './routes/health';
import { inventoryRouter } from './routes/inventory';
import { kpisRouter } from './routes/kpis';
import { liveRouter } from './routes/live';
import { operationsRouter } from './routes/operations';
import { ordersRouter } from './routes/orders';
import { usersRouter } from './routes/users';

/**
 * The HTTP app: thin routers (parse, authorize, call, respond) in front of db/ and jobs/. The built
 * SvelteKit handler, when given, is mounted last so that every /api route wins over a page.
 */
export function createApp(deps: AppDeps, opts: { webHandler?: RequestHandler } = {}): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  // SvelteKit sets its own Content-Security-Policy with hashes for its bootstrap script.
  app.use(helmet({ contentSecurityPolicy: false, crossOriginEmbedderPolicy: false }));
  app.use(healthRouter(deps));

  const api = express.Router();
  api.use(onlyApi(authenticate(deps.sql)));
  api.use(onlyApi(csrfProtection(deps.config.PUBLIC_ORIGIN)));
  // The ingest route reads its own body (JSON or NDJSON, larger limit); everything else is small JSON.
  api.use(eventsRouter(deps));
  // A bulk triage action may name up to 5,000 exception ids (~200 kB); everything else is small.
  api.use('/api/v1/exceptions/bulk', express.json({ limit: '512kb' }));
  api.use(express.json({ limit: '100kb' }));
  api.use(authRouter(deps));
  api.use(usersRouter(deps));
  api.use(apiKeysRouter(deps));
  api.use(displayLinksRouter(deps));
  api.use(liveRouter(deps));
  api.use(kpisRouter(deps));
  api.use(inventoryRouter(deps));
  api.use(ordersRouter(deps));
  api.use(exceptionsRouter(deps));
  api.use(operationsRouter(deps));
  app.use(api);
  app.use('/api', notFoundHandler);

  if (opts.webHandler) app.use(opts.webHandler);
  app.use(notFoundHandler);
  app.use(errorHandler(deps.log));
  return app;
}

/** Pages and assets need no session lookup: only /api requests are authenticated. */
const onlyApi =
  (handler: RequestHandler): RequestHandler =>
  (req, res, next) =>
    req.path.startsWith('/api/') ? handler(req, res, next) : next();
