/**
 * Events the tower writes to its own inbox when a person decides an exception: they go through the
 * same workers as every other event (durable, idempotent, in inbox order), and appear on
 * the order's timeline. They come from the reserved source `tower`; the ingest API never accepts
 * these types, and no API key can be issued for that source.
 */
export const TOWER_SOURCE = 'tower';

export interface InternalEventData {
  /** A supervisor approved a fraud review: the order's hold is released. */
  'order.hold_released': { orderId: string };
  /** A supervisor approved a count beyond tolerance: the book is set to the count, as of the count. */
  'stock.count_approved': { countEventSeq: string; sku: string; locationId: string; countedQty: number };
}

export type InternalEventType = keyof InternalEventData;
export const internalEventTypes: readonly InternalEventType[] = ['order.hold_released', 'stock.count_approved'];
