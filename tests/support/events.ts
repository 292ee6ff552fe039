import type { EventType } from '../../domain/events/schemas';
import type { RawEvent } from '../../simulator/raw-event';

export type { RawEvent };

let counter = 0;

export function event(type: EventType, data: Record<string, unknown>, over: Partial<RawEvent> = {}): RawEvent {
  return { id: `evt-${process.pid}-${++counter}`, type, source: 'web', occurredAt: new Date().toISOString(), data, ...over };
}

/** A valid body for every event type of the contract. */
export const validData: Record<EventType, Record<string, unknown>> = {
  'item.upserted': { sku: 'TEE-BLK-M', name: 'Black tee M', unitCost: 6.5, unitPrice: 19.99, safetyStock: 2 },
  'location.upserted': { locationId: 'DC-EAST', name: 'East DC', kind: 'dc', region: 'east', shipsToCustomers: true, priority: 1 },
  'channel.upserted': { channel: 'web', name: 'Web store', kind: 'webstore', priority: 1, allocationShare: 1, allowSplit: true, slaHours: 24 },
  'order.created': {
    orderId: 'W-1001', channel: 'web', lines: [{ sku: 'TEE-BLK-M', qty: 2, unitPrice: 19.99 }],
    shipTo: { region: 'east', country: 'US', postalCode: '10001' }, payment: 'authorized', fraudScore: 0.1,
  },
  'order.payment_authorized': { orderId: 'W-1001' },
  'order.payment_failed': { orderId: 'W-1001', reason: 'card declined' },
  'order.cancelled': { orderId: 'W-1001', reason: 'customer request' },
  'fulfillment.picked': { orderId: 'W-1001', locationId: 'DC-EAST', lines: [{ sku: 'TEE-BLK-M', qty: 2 }] },
  'fulfillment.short_picked': { orderId: 'W-1001', locationId: 'DC-EAST', sku: 'TEE-BLK-M', qty: 1 },
  'fulfillment.shipped': { orderId: 'W-1001', locationId: 'DC-EAST', shipmentId: 'SH-1', lines: [{ sku: 'TEE-BLK-M', qty: 2 }] },
  'order.delivered': { orderId: 'W-1001' },
  'stock.received': { locationId: 'DC-EAST', sku: 'TEE-BLK-M', qty: 10, reference: 'PO-1' },
  'stock.adjusted': { locationId: 'DC-EAST', sku: 'TEE-BLK-M', delta: -1, reason: 'damage' },
  'stock.counted': { locationId: 'DC-EAST', sku: 'TEE-BLK-M', countedQty: 9 },
  'stock.transfer_shipped': { transferId: 'T-1', fromLocationId: 'DC-EAST', toLocationId: 'STORE-WEST', lines: [{ sku: 'TEE-BLK-M', qty: 3 }] },
  'stock.transfer_received': { transferId: 'T-1', lines: [{ sku: 'TEE-BLK-M', qty: 3 }] },
  'channel.stock_snapshot': { channel: 'web', items: [{ sku: 'TEE-BLK-M', listedQty: 12 }] },
  'return.received': { returnId: 'R-1', orderId: 'W-1001', locationId: 'DC-EAST', lines: [{ sku: 'TEE-BLK-M', qty: 1 }] },
  'return.inspected': { returnId: 'R-1', lines: [{ sku: 'TEE-BLK-M', qty: 1, disposition: 'restock' }] },
  'refund.issued': { orderId: 'W-1001', returnId: 'R-1', amount: 19.99 },
};

export function order(orderId: string, channel: string, qty: number, occurredAt = new Date().toISOString()): RawEvent {
  return event('order.created', {
    orderId, channel, lines: [{ sku: 'TEE-BLK-M', qty, unitPrice: 19.99 }], shipTo: { region: 'east' }, payment: 'authorized',
  }, { source: channel, occurredAt });
}

/** The master data the fixtures above refer to: one SKU, one DC that ships, the web and mkt-a channels. */
export function masterData(source = 'web'): RawEvent[] {
  const at = new Date(Date.now() - 60_000).toISOString();
  return [
    event('item.upserted', validData['item.upserted'], { source, occurredAt: at }),
    event('location.upserted', validData['location.upserted'], { source, occurredAt: at }),
    event('channel.upserted', validData['channel.upserted'], { source, occurredAt: at }),
    event('channel.upserted', { channel: 'mkt-a', name: 'Marketplace A', kind: 'marketplace', priority: 2, allocationShare: 0.5, allowSplit: false, slaHours: 48 }, { source, occurredAt: at }),
  ];
}
