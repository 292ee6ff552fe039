import { z } from 'zod';
import { parseSlaOverrides } from './exceptions/types';
import { parseFeedThresholds } from './exceptions/time-rules';

/** Environment variables the tower understands. Parsed once per process by `realtime/config.ts`. */
const intVar = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const emptyToUndefined = (v: unknown) => (v === '' ? undefined : v);

export const configSchema = z.object({
  PORT: intVar(3000, 0),
  HOST: z.string().default('0.0.0.0'),
  ROLE: z.enum(['all', 'api', 'worker']).default('all'),
  DATABASE_URL: z.preprocess(emptyToUndefined, z.url().optional()),
  DATA_DIR: z.string().default('./.data'),
  EMBEDDED_PG_PORT: intVar(54329, 1),
  REDIS_URL: z.preprocess(emptyToUndefined, z.url().optional()),
  REDIS_PREFIX: z.string().regex(/^[a-z0-9:_-]{1,40}$/).default('tower'),
  ADMIN_EMAIL: z.preprocess(emptyToUndefined, z.email().optional()),
  ADMIN_PASSWORD: z.preprocess(emptyToUndefined, z.string().min(12, 'must be at least 12 characters').optional()),
  PUBLIC_ORIGIN: z.preprocess(emptyToUndefined, z.url().optional()),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  WORKER_CONCURRENCY: intVar(4, 1),
  INGEST_MAX_EVENTS: intVar(5000, 1),
  INGEST_MAX_BYTES: intVar(5 * 1024 * 1024, 1024),
  INGEST_RATE_LIMIT: intVar(200, 1),
  SWEEP_INTERVAL_MS: intVar(2000, 50),
  SWEEP_GRACE_MS: intVar(5000, 0),
  SESSION_TTL_HOURS: intVar(12, 1),
  LOGIN_MAX_ATTEMPTS: intVar(5, 1),
  LOGIN_WINDOW_SECONDS: intVar(900, 1),
  PUSH_INTERVAL_MS: intVar(250, 50),
  COOKIE_SECURE: z.enum(['auto', 'true', 'false']).default('auto'),
  BUSINESS_TIMEZONE: z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin').default('UTC'),
  CURRENCY: z.string().regex(/^[A-Z]{3}$/).default('USD'),
  MAX_FUTURE_SKEW_MS: intVar(5 * 60 * 1000, 0),
  FRAUD_THRESHOLD: z.coerce.number().min(0).max(1).default(0.8),
  /** How long an event waits for a prerequisite (a shipment for its order) before it is invalid. */
  DEFER_MAX_SECONDS: intVar(300, 0),
  /** Group commit: a batch takes up to this many of the oldest unapplied events (never fewer than its job carries; 1: no group commit). */
  APPLY_BATCH_MAX_EVENTS: intVar(1000, 1),
  COUNT_TOLERANCE_UNITS: intVar(2, 0),
  COUNT_TOLERANCE_PERCENT: z.coerce.number().min(0).max(100).default(2),
  /** SLA per exception type in minutes, e.g. `fraud_review=20,stockout=45`; unnamed types keep the spec's. */
  EXCEPTION_SLA_MINUTES: z.string().default('').transform((text, ctx) => {
    const { value, problems } = parseSlaOverrides(text);
    for (const message of problems) ctx.addIssue({ code: 'custom', message });
    return value;
  }),
  /** Resolution codes of ordinary exception types (fraud_review and count_discrepancy take approve/reject). */
  EXCEPTION_RESOLUTION_CODES: z.string().default('fixed,no_action,duplicate').transform((text, ctx) => {
    const codes = [...new Set(text.split(',').map((c) => c.trim()).filter(Boolean))];
    const bad = codes.filter((c) => !/^[a-z][a-z0-9_]{0,31}$/.test(c) || ['approve', 'reject', 'reapplied', 'auto_resolved'].includes(c));
    if (codes.length === 0) ctx.addIssue({ code: 'custom', message: 'needs at least one code' });
    for (const c of bad) ctx.addIssue({ code: 'custom', message: `"${c}" must be lower_snake_case and not one of approve, reject, reapplied, auto_resolved` });
    return codes;
  }),
  /** How often the time-driven rules run (SLA risk, overdue returns, stale feeds, escalation). */
  RULES_INTERVAL_MS: intVar(30_000, 200),
  /** An unshipped order whose promisedShipBy is this close (or past) is at risk. */
  RISK_HORIZON_MINUTES: intVar(120, 0),
  RETURN_OVERDUE_HOURS: intVar(48, 1),
  /** Silence thresholds per source, e.g. `shop-web=10,edi-acme=240`; other sources are learned from their cadence. */
  FEED_STALE_MINUTES: z.string().default('').transform((text, ctx) => {
    const { value, problems } = parseFeedThresholds(text);
    for (const message of problems) ctx.addIssue({ code: 'custom', message });
    return value;
  }),
  /** The shortest silence a learned threshold may flag, in minutes. */
  FEED_STALE_MIN_MINUTES: intVar(15, 1),
  /** How long a bulk triage action can be undone. */
  BULK_UNDO_SECONDS: intVar(10, 1),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Every bad variable is reported at once, so a start fails with the whole list, not the first. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = configSchema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
  );
}
