import type { z } from 'zod';
import { dataSchemas, envelopeSchema, type EventType } from './schemas';

export interface FieldError {
  path: string;
  message: string;
}

/** A validated event: `data` has defaults filled in, `occurredAt` is kept as sent. */
export interface TowerEvent<T extends EventType = EventType> {
  id: string;
  type: T;
  source: string;
  occurredAt: string;
  data: Record<string, unknown>;
}

export type Validation = { ok: true; event: TowerEvent } | { ok: false; id?: string; errors: FieldError[] };

function toFieldErrors(issues: z.core.$ZodIssue[], prefix: string[] = []): FieldError[] {
  return issues.map((issue) => {
    const path = [...prefix, ...issue.path.map(String)];
    if (issue.code === 'unrecognized_keys') {
      // Name each unknown field in the path so a client sees exactly where it is.
      return { path: [...path, issue.keys.join(',')].join('.'), message: 'unknown field' };
    }
    return { path: path.join('.') || '(root)', message: issue.message };
  });
}

/**
 * Validates one raw event of the v1 contract. `now` is passed in (no clock in the domain);
 * an `occurredAt` more than `maxFutureSkewMs` ahead of it is rejected.
 */
export function validateEvent(raw: unknown, now: Date, maxFutureSkewMs: number): Validation {
  const textErrors = unstorableText(raw);
  if (textErrors.length > 0) {
    const rawId = typeof (raw as { id?: unknown })?.id === 'string' ? (raw as { id: string }).id : undefined;
    return { ok: false, id: rawId, errors: textErrors };
  }
  const env = envelopeSchema.safeParse(raw);
  const rawId = typeof (raw as { id?: unknown })?.id === 'string' ? (raw as { id: string }).id : undefined;
  if (!env.success) {
    const errors = toFieldErrors(env.error.issues);
    // Still check the body when the type is known, so one round trip reports every problem.
    const type = (raw as { type?: unknown })?.type;
    if (typeof type === 'string' && type in dataSchemas && !errors.some((e) => e.path.startsWith('data'))) {
      const data = dataSchemas[type as EventType].safeParse((raw as { data?: unknown }).data);
      if (!data.success) errors.push(...toFieldErrors(data.error.issues, ['data']));
    }
    return { ok: false, id: rawId, errors };
  }
  const errors: FieldError[] = [];
  const occurred = Date.parse(env.data.occurredAt);
  if (occurred - now.getTime() > maxFutureSkewMs) {
    errors.push({
      path: 'occurredAt',
      message: `must not be more than ${Math.round(maxFutureSkewMs / 1000)} s in the future`,
    });
  }
  const data = dataSchemas[env.data.type].safeParse(env.data.data);
  if (!data.success) errors.push(...toFieldErrors(data.error.issues, ['data']));
  if (errors.length > 0 || !data.success) return { ok: false, id: rawId, errors };
  return {
    ok: true,
    event: {
      id: env.data.id,
      type: env.data.type,
      source: env.data.source,
      occurredAt: env.data.occurredAt,
      data: data.data as Record<string, unknown>,
    },
  };
}

// NUL and unpaired surrogates cannot be stored as JSON text in PostgreSQL: reject them with their path.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const badText = (s: string) => s.includes('\u0000') || LONE_SURROGATE.test(s);

function unstorableText(value: unknown, path: string[] = []): FieldError[] {
  if (typeof value === 'string') {
    return badText(value) ? [{ path: path.join('.') || '(root)', message: 'must not contain NUL or unpaired surrogate characters' }] : [];
  }
  if (value === null || typeof value !== 'object') return [];
  const errors: FieldError[] = [];
  for (const [k, v] of Object.entries(value)) {
    if (badText(k)) errors.push({ path: [...path, '(key)'].join('.'), message: 'field names must not contain NUL or unpaired surrogate characters' });
    errors.push(...unstorableText(v, [...path, k]));
  }
  return errors;
}
