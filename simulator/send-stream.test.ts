import { describe, expect, it } from 'vitest';
import type { BatchResult, Send } from '../realtime/cli/import/send';
import type { RawEvent } from './raw-event';
import { sendStream, type SendProgress } from './send-stream';

const events = (n: number): RawEvent[] =>
  Array.from({ length: n }, (_, i) => ({ id: `e${i}`, type: 'order.delivered', source: 'wms', occurredAt: '2026-11-27T09:00:00.000Z', data: { orderId: `o${i}` } }));

describe('sendStream', () => {
  it('sends in order, in batches of at most 1,000, and reports progress after each', async () => {
    const batches: string[][] = [];
    const send: Send = async (batch) => {
      batches.push(batch.map((e) => e.id));
      return { accepted: batch.length - 1, duplicates: 1, rejected: [] };
    };
    const progress: SendProgress[] = [];
    let clock = 0;
    const result = await sendStream({ send, events: events(2500), batchSize: 5000, onProgress: (p) => progress.push(p), now: () => (clock += 500) });
    expect(batches.map((b) => b.length)).toEqual([1000, 1000, 500]);
    expect(batches.flat()).toEqual(events(2500).map((e) => e.id));
    expect(progress.map((p) => p.sent)).toEqual([1000, 2000, 2500]);
    expect(result).toMatchObject({ sent: 2500, accepted: 2497, duplicates: 3, rejected: 0 });
    expect(result.rate).toBe(Math.round(2500 / ((2000 - 500) / 1000)));
  });

  it('names rejected events by id and accepts an async source', async () => {
    const send: Send = async (batch): Promise<BatchResult> => ({
      accepted: batch.length - 1, duplicates: 0, rejected: [{ index: 1, errors: [{ path: 'data.orderId', message: 'unknown field' }] }],
    });
    async function* stream() {
      yield* events(3);
    }
    const result = await sendStream({ send, events: stream(), batchSize: 2 });
    expect(result.rejected).toBe(2);
    expect(result.errors).toEqual([{ id: 'e1', message: 'data.orderId: unknown field' }, { id: '#1', message: 'data.orderId: unknown field' }]);
  });

  it('lets a refused batch stop the stream', async () => {
    const send: Send = async () => {
      throw new Error('the tower refused the API key');
    };
    await expect(sendStream({ send, events: events(3) })).rejects.toThrow(/API key/);
  });
});
