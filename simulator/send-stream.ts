import { MAX_BATCH, type BatchResult, type Send } from '../realtime/cli/import/send';
import type { RawEvent } from './raw-event';

export interface SendProgress {
  /** Events sent so far (accepted, duplicate or rejected). */
  sent: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  /** Events per second of wall time since the first batch. */
  rate: number;
  /** The first rejections, with their event ids, for a progress line or a log. */
  errors: { id: string; message: string }[];
}

/**
 * Sends events in order, in sequential batches of at most `batchSize` (≤ 1,000, the importer's
 * batch): order matters, since the simulator's book assumes the tower applies them as emitted.
 * Retries and backoff are the sender's (createSender); a batch the tower refuses as a whole throws.
 */
export async function sendStream(input: {
  send: Send;
  events: Iterable<RawEvent> | AsyncIterable<RawEvent>;
  batchSize?: number;
  onProgress?: (p: SendProgress) => void;
  /** For tests; default `performance.now`. */
  now?: () => number;
}): Promise<SendProgress> {
  const batchSize = Math.min(MAX_BATCH, Math.max(1, input.batchSize ?? MAX_BATCH));
  const now = input.now ?? (() => performance.now());
  const started = now();
  const p: SendProgress = { sent: 0, accepted: 0, duplicates: 0, rejected: 0, rate: 0, errors: [] };
  let batch: RawEvent[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const result: BatchResult = await input.send(batch);
    p.sent += batch.length;
    p.accepted += result.accepted;
    p.duplicates += result.duplicates;
    p.rejected += result.rejected.length;
    for (const r of result.rejected) {
      if (p.errors.length >= 20) break;
      p.errors.push({ id: batch[r.index]?.id ?? `#${r.index}`, message: r.errors.map((e) => `${e.path}: ${e.message}`).join('; ') });
    }
    const seconds = (now() - started) / 1000;
    p.rate = seconds > 0 ? Math.round(p.sent / seconds) : 0;
    batch = [];
    input.onProgress?.({ ...p, errors: [...p.errors] });
  };
  for await (const event of input.events) {
    batch.push(event);
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  return p;
}
