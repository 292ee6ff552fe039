import type { Db } from '../../db/connect';
import { insertEvents } from '../../db/queries/events';
import { validateEvent } from '../../domain/events/validate';

/** Validates raw events as the API would (a bad fixture fails loudly) and stores them; returns their seqs. */
export async function insertRaw(sql: Db, raw: readonly unknown[]): Promise<string[]> {
  const now = new Date();
  const events = raw.map((r) => {
    const v = validateEvent(r, now, 300_000);
    if (!v.ok) throw new Error(`fixture rejected by the contract: ${JSON.stringify(v.errors)}`);
    return v.event;
  });
  return (await insertEvents(sql, events, null)).map((i) => i.seq);
}
