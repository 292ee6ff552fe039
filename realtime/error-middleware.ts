import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { ZodError } from 'zod';
import { HttpError } from './http-error';
import { isUnavailable } from './unavailable';

export const notFoundHandler: RequestHandler = (req, res) => {
  res.status(404).json({ error: { code: 'not_found', message: `no route for ${req.method} ${req.originalUrl.split('?')[0]}` } });
};

/**
 * Shapes every error. Client mistakes that reach here from body parsing (bad JSON, too large) get
 * their 4xx; only a genuine server fault becomes a 500, and its details stay in the log.
 */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (res.headersSent) return;
    if (err instanceof HttpError) {
      for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
      const body: Record<string, unknown> = { code: err.code, message: err.message };
      if (err.details !== undefined) body.details = err.details;
      res.status(err.status).json({ error: body });
      return;
    }
    if (err instanceof ZodError) {
      res.status(400).json({
        error: {
          code: 'invalid_request',
          message: 'the request body or query is invalid',
          details: err.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message })),
        },
      });
      return;
    }
    const type = (err as { type?: string }).type;
    if (type === 'entity.too.large') {
      res.status(413).json({ error: { code: 'payload_too_large', message: 'the request body is too large' } });
      return;
    }
    if (type === 'entity.parse.failed' || err instanceof SyntaxError) {
      res.status(400).json({ error: { code: 'malformed_json', message: 'the request body is not valid JSON' } });
      return;
    }
    // Other body-parser refusals (unknown charset or Content-Encoding, a body that is not what its
    // encoding says) are the client's: keep their 4xx status and say what it was.
    const status = (err as { status?: number }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const code = type === 'charset.unsupported' || type === 'encoding.unsupported' ? 'unsupported_media_type' : 'bad_request';
      res.status(status).json({ error: { code, message: (err as Error).message || 'the request body cannot be read' } });
      return;
    }
    if (isUnavailable(err)) {
      res.setHeader('Retry-After', '5');
      res.status(503).json({ error: { code: 'unavailable', message: 'a backing service is not reachable; try again shortly' } });
      return;
    }
    log.error({ err, method: req.method, path: req.path }, 'unhandled error');
    res.status(500).json({ error: { code: 'internal', message: 'internal error' } });
  };
}
