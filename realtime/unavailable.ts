import { HttpError } from './http-error';

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'CONNECTION_CLOSED', 'CONNECTION_ENDED',
  'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT', '57P01', '57P02', '57P03', '53300',
]);

/** A dependency is down or restarting (not a fault of the request): answer 503 so the client retries. */
export function isUnavailable(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return typeof code === 'string' && UNAVAILABLE_CODES.has(code);
}

export const serviceUnavailable = (message: string, retryAfterSeconds = 5) =>
  new HttpError(503, 'unavailable', message, undefined, { 'Retry-After': String(retryAfterSeconds) });
