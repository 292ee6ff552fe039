import { z } from 'zod';

/** Field rules of the v1 event contract (`docs/events.md`). Every object is strict: unknown fields are errors. */
export const identifier = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._:-]+$/, 'must be 1-64 characters of A-Z a-z 0-9 . _ : -');
export const qty = z.number().int('must be a whole number of units').positive('must be greater than 0');
export const money = z
  .number()
  .nonnegative('must not be negative')
  .refine((v) => Number.isFinite(v) && Math.abs(Math.round(v * 100) - v * 100) < 1e-6, 'must have at most 2 decimals');
const isoWithOffset = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 timestamp with an offset' });
const skuQty = z.strictObject({ sku: identifier, qty });
const skuLines = z.array(skuQty).min(1);

export const dataSchemas = {
  'item.upserted': z.strictObject({
    sku: identifier,
    name: z.string().min(1).max(200),
    unitCost: money,
    unitPrice: money,
    safetyStock: z.number().int().nonnegative().default(0),
  }),
  'location.upserted': z.strictObject({
    locationId: identifier,
    name: z.string().min(1).max(200),
    kind: z.enum(['dc', 'store', '3pl']),
    region: identifier,
    shipsToCustomers: z.boolean(),
    priority: z.number().int().positive(),
  }),
  'channel.upserted': z.strictObject({
    channel: identifier,
    name: z.string().min(1).max(200),
    kind: z.enum(['webstore', 'marketplace', 'edi', 'pos', 'phone']),
    priority: z.number().int().positive(),
    allocationShare: z.number().min(0).max(1).default(1),
    allowSplit: z.boolean(),
    slaHours: z.number().positive(),
  }),
  'order.created': z.strictObject({
    orderId: identifier,
    channel: identifier,
    lines: z.array(z.strictObject({ sku: identifier, qty, unitPrice: money })).min(1),
    shipTo: z.strictObject({
      region: identifier,
      country: z.string().regex(/^[A-Z]{2}$/, 'must be a 2-letter country code').optional(),
      postalCode: z.string().min(1).max(16).optional(),
    }),
    payment: z.enum(['authorized', 'pending']),
    fraudScore: z.number().min(0).max(1).optional(),
    promisedShipBy: isoWithOffset.optional(),
  }),
  'order.payment_authorized': z.strictObject({ orderId: identifier }),
  'order.payment_failed': z.strictObject({ orderId: identifier, reason: z.string().max(500).optional() }),
  'order.cancelled': z.strictObject({ orderId: identifier, reason: z.string().max(500).optional() }),
  'fulfillment.picked': z.strictObject({ orderId: identifier, locationId: identifier, lines: skuLines }),
  'fulfillment.short_picked': z.strictObject({ orderId: identifier, locationId: identifier, sku: identifier, qty }),
  'fulfillment.shipped': z.strictObject({
    orderId: identifier,
    locationId: identifier,
    shipmentId: identifier,
    lines: skuLines,
  }),
  'order.delivered': z.strictObject({ orderId: identifier }),
  'stock.received': z.strictObject({
    locationId: identifier,
    sku: identifier,
    qty,
    reference: z.string().min(1).max(128).optional(),
  }),
  'stock.adjusted': z.strictObject({
    locationId: identifier,
    sku: identifier,
    delta: z.number().int('must be a whole number of units').refine((d) => d !== 0, 'must not be 0'),
    reason: z.enum(['damage', 'shrink', 'found', 'correction']),
  }),
  'stock.counted': z.strictObject({
    locationId: identifier,
    sku: identifier,
    countedQty: z.number().int('must be a whole number of units').nonnegative('must not be negative'),
  }),
  'stock.transfer_shipped': z.strictObject({
    transferId: identifier,
    fromLocationId: identifier,
    toLocationId: identifier,
    lines: skuLines,
  }),
  'stock.transfer_received': z.strictObject({ transferId: identifier, lines: skuLines }),
  'channel.stock_snapshot': z.strictObject({
    channel: identifier,
    items: z
      .array(
        z.strictObject({
          sku: identifier,
          listedQty: z.number().int('must be a whole number of units').nonnegative('must not be negative'),
        }),
      )
      .min(1),
  }),
  'return.received': z.strictObject({
    returnId: identifier,
    orderId: identifier,
    locationId: identifier,
    lines: skuLines,
  }),
  'return.inspected': z.strictObject({
    returnId: identifier,
    lines: z
      .array(
        z.strictObject({
          sku: identifier,
          qty,
          disposition: z.enum(['restock', 'refurbish', 'liquidate', 'write_off']),
        }),
      )
      .min(1),
  }),
  'refund.issued': z.strictObject({
    orderId: identifier,
    returnId: identifier.optional(),
    amount: money,
  }),
} as const;

export type EventType = keyof typeof dataSchemas;
export const eventTypes = Object.keys(dataSchemas) as EventType[];
export type EventData<T extends EventType> = z.output<(typeof dataSchemas)[T]>;

export const envelopeSchema = z.strictObject({
  id: z.string().min(1).max(128),
  type: z.enum(eventTypes as [EventType, ...EventType[]], {
    message: `must be one of ${eventTypes.join(', ')}`,
  }),
  source: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[a-z0-9._-]+$/, 'must be 1-64 characters of a-z 0-9 . _ -'),
  occurredAt: isoWithOffset,
  data: z.unknown(),
});
