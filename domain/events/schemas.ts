import { z } from 'zod';

/** Field rules of the v1 event contract (`docs/events.md`). Every object is strict: unknown fields are errors. */
export const identifier = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._:-]+$/, 'must be 1-64 characters of A-Z a-z 0-9 . _ : -');
/**
 * Upper bounds keep every accepted value storable (PostgreSQL integer and numeric columns) and catch
 * unit mistakes (cents sent as units); nothing real comes near them.
 */
export const MAX_UNITS = 1_000_000;
export const MAX_STOCK = 1_000_000_000;
export const MAX_MONEY = 1_000_000_000;
export const MAX_LINES = 1000;

const units = (what = 'units') => z.number().int(`must be a whole number of ${what}`);
export const qty = units().positive('must be greater than 0').max(MAX_UNITS, `must be at most ${MAX_UNITS}`);
const stockLevel = units().nonnegative('must not be negative').max(MAX_STOCK, `must be at most ${MAX_STOCK}`);
const rank = z.number().int('must be a whole number').positive('must be greater than 0').max(1_000_000, 'must be at most 1000000');
export const money = z
  .number()
  .nonnegative('must not be negative')
  .max(MAX_MONEY, `must be at most ${MAX_MONEY}`)
  .refine((v) => Number.isFinite(v) && Math.abs(Math.round(v * 100) - v * 100) < 1e-6, 'must have at most 2 decimals');
// Years before 1970 or after 9999 are typing mistakes, and year 0 cannot be stored.
const isoWithOffset = z.iso
  .datetime({ offset: true, message: 'must be an ISO-8601 timestamp with an offset' })
  .refine((v) => {
    const ms = Date.parse(v);
    return ms >= 0 && ms < Date.UTC(10000, 0, 1);
  }, 'must be between 1970 and 9999');
const skuQty = z.strictObject({ sku: identifier, qty });
const skuLines = z.array(skuQty).min(1).max(MAX_LINES);

export const dataSchemas = {
  'item.upserted': z.strictObject({
    sku: identifier,
    name: z.string().min(1).max(200),
    unitCost: money,
    unitPrice: money,
    safetyStock: stockLevel.default(0),
  }),
  'location.upserted': z.strictObject({
    locationId: identifier,
    name: z.string().min(1).max(200),
    kind: z.enum(['dc', 'store', '3pl']),
    region: identifier,
    shipsToCustomers: z.boolean(),
    priority: rank,
  }),
  'channel.upserted': z.strictObject({
    channel: identifier,
    name: z.string().min(1).max(200),
    kind: z.enum(['webstore', 'marketplace', 'edi', 'pos', 'phone']),
    priority: rank,
    allocationShare: z.number().min(0).max(1).default(1),
    allowSplit: z.boolean(),
    slaHours: z.number().positive().max(8760, 'must be at most 8760 (a year)'),
  }),
  'order.created': z.strictObject({
    orderId: identifier,
    channel: identifier,
    lines: z.array(z.strictObject({ sku: identifier, qty, unitPrice: money })).min(1).max(MAX_LINES),
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
    delta: units()
      .min(-MAX_STOCK, `must be at least -${MAX_STOCK}`)
      .max(MAX_STOCK, `must be at most ${MAX_STOCK}`)
      .refine((d) => d !== 0, 'must not be 0'),
    reason: z.enum(['damage', 'shrink', 'found', 'correction']),
  }),
  'stock.counted': z.strictObject({
    locationId: identifier,
    sku: identifier,
    countedQty: stockLevel,
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
          listedQty: stockLevel,
        }),
      )
      .min(1)
      .max(10_000),
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
      .min(1)
      .max(MAX_LINES),
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
