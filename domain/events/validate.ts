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
  return issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path.map(String)];
    if (issue.code === 'unrecognized_keys') {
      // One error per unknown field, each with its own path.
      return issue.keys.map((key) => ({ path: [...path, key].join('.'), message: 'unknown field' }));
    }
    return [{ path: path.join('.') || '(root)', message: issue.message }];
  });
}

/**
 * Validates one raw event of the v1 contract. `now` is passed in (no clock in the domain);
 * an `occurredAt` more than `maxFutureSkewMs` ahead of it is rejected.
 */
export function validateEvent(raw: unknown, now: Date, maxFutureSkewMs: number): Validation {
  const rawId = typeof (raw as { id?: unknown })?.id === 'string' ? (raw as { id: string }).id : undefined;
  const textErrors = unstorableText(raw);
  if (textErrors.length > 0) return { ok: false, id: rawId, errors: textErrors };
  const env = envelopeSchema.safeParse(raw);
  if (!env.success) {
    const errors = toFieldErrors(env.error.issues);
    // Still check the body when the type is known, so one round trip reports every problem.
    const type = (raw as { type?: unknown })?.type;
    if (typeof type === 'string' && Object.hasOwn(dataSchemas, type) && !errors.some((e) => e.path.startsWith('data'))) {
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

export const MAX_DEPTH = 32;

/** Walks the raw value without recursion (a hostile body may nest thousands of levels deep). */
function unstorableText(root: unknown): FieldError[] {
  const errors: FieldError[] = [];
  const stack: { value: unknown; path: string[] }[] = [{ value: root, path: [] }];
  while (stack.length > 0 && errors.length < 20) {
    const { value, path } = stack.pop()!;
    const where = path.join('.') || '(root)';
    if (typeof value === 'string') {
      if (badText(value)) errors.push({ path: where, message: 'must not contain NUL or unpaired surrogate characters' });
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (path.length >= MAX_DEPTH) {
      errors.push({ path: where, message: `is nested more than ${MAX_DEPTH} levels deep` });
      continue;
    }
    for (const [k, v] of Object.entries(value)) {
      if (badText(k)) errors.push({ path: [...path, '(key)'].join('.'), message: 'field names must not contain NUL or unpaired surrogate characters' });
      stack.push({ value: v, path: [...path, k] });
    }
  }
  return errors;
}
