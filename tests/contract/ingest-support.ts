import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { EventType } from '../../domain/events/schemas';
import { event, validData, type RawEvent } from '../support/events';
import type { TestTower } from '../support/tower';

/** Helpers shared by the ingest contract tests: unique names, typed responses, event look-ups. */

const run = randomBytes(3).toString('hex');
let counter = 0;

/** A source nobody else in this test run uses (sources are `[a-z0-9._-]`). */
export const uniqueSource = (label: string) => `${label}-${run}-${++counter}`.toLowerCase();
/** An event id nobody else in this test run uses. */
export const uniqueId = (label: string) => `${label}-${run}-${++counter}`;

export interface FieldError {
  path: string;
  message: string;
}
export interface Rejection {
  index: number;
  id?: string;
  errors: FieldError[];
}
export interface IngestResult {
  accepted: number;
  duplicates: number;
  rejected: Rejection[];
}
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** A valid event of `type` with its own id and the given source; `data` is a deep copy of `validData`. */
export function validEvent(type: EventType, source: string, over: Partial<RawEvent> = {}): RawEvent {
  return event(type, structuredClone(validData[type]), { id: uniqueId(type.replace('.', '-')), source, ...over });
}

export async function ingest(t: TestTower, key: string, body: unknown, contentType?: string): Promise<{ status: number; body: IngestResult }> {
  const res = await t.postEvents(key, body, contentType);
  const text = await res.text();
  expect(res.status, text).toBe(202);
  return { status: res.status, body: JSON.parse(text) as IngestResult };
}

export const toNdjson = (events: unknown[]) => events.map((e) => JSON.stringify(e)).join('\n') + '\n';

export function getEvent(t: TestTower, key: string, source: string, id: string): Promise<Response> {
  return fetch(`${t.url}/api/v1/events/${encodeURIComponent(source)}/${encodeURIComponent(id)}`, {
    headers: { authorization: `Bearer ${key}` },
  });
}

/** Asserts that none of `events` was stored (each GET answers 404 with the not_found error shape). */
export async function expectNotStored(t: TestTower, key: string, events: { source: string; id: string }[]): Promise<void> {
  for (const e of events) {
    const res = await getEvent(t, key, e.source, e.id);
    expect(res.status, `${e.source}/${e.id} should not exist`).toBe(404);
    expect(((await res.json()) as ErrorBody).error.code).toBe('not_found');
  }
}

/** Asserts that `event` was stored under its (source, id) with its type. */
export async function expectStored(t: TestTower, key: string, e: { source: string; id: string; type: string }): Promise<void> {
  const res = await getEvent(t, key, e.source, e.id);
  expect(res.status, `${e.source}/${e.id} should exist`).toBe(200);
  const stored = (await res.json()) as { source: string; id: string; type: string };
  expect(stored).toMatchObject({ source: e.source, id: e.id, type: e.type });
}
