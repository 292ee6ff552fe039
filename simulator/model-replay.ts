import { FRAUD_HOLD_THRESHOLD, OmsModel } from './oms-model';
import type { RawEvent } from './raw-event';
import type { World } from './world';

type Lines = { sku: string; qty: number }[];

/**
 * Rebuilds an OMS book from an emitted stream alone, applying each event as the tower would. The
 * generator moves its book as it emits; replaying what it emitted into a fresh book must end in the
 * same place, which checks that the stream says everything the book did (and nothing else).
 */
export class ModelReplay {
  readonly oms: OmsModel;
  readonly #transfers = new Map<string, string>();
  readonly #returns = new Map<string, string>();

  constructor(world: World, opts: { exhaustive?: boolean } = {}) {
    this.oms = new OmsModel({ locations: world.locations, channels: world.channels, exhaustive: opts.exhaustive });
  }

  apply(event: RawEvent): void {
    const d = event.data as Record<string, unknown> & { orderId: string; locationId: string; sku: string; qty: number; lines: Lines };
    const oms = this.oms;
    switch (event.type) {
      case 'order.created': {
        const score = d.fraudScore as number | undefined;
        const shipTo = d.shipTo as { region: string };
        oms.createOrder({ orderId: d.orderId, channel: d.channel as string, region: shipTo.region, occurredAt: event.occurredAt, held: score !== undefined && score >= FRAUD_HOLD_THRESHOLD, lines: d.lines });
        return;
      }
      case 'order.cancelled':
      case 'order.payment_failed':
        return oms.cancel(d.orderId);
      case 'fulfillment.short_picked':
        return oms.shortPick(d);
      case 'fulfillment.shipped':
        return oms.ship(d);
      case 'stock.received':
        return oms.receive(d);
      case 'stock.adjusted':
        return oms.adjust({ locationId: d.locationId, sku: d.sku, delta: d.delta as number, reason: d.reason as string });
      case 'stock.counted':
        oms.count({ locationId: d.locationId, sku: d.sku, countedQty: d.countedQty as number });
        return;
      case 'stock.transfer_shipped':
        this.#transfers.set(d.transferId as string, d.toLocationId as string);
        return oms.transferShip({ fromLocationId: d.fromLocationId as string, toLocationId: d.toLocationId as string, lines: d.lines });
      case 'stock.transfer_received':
        return oms.transferReceive({ toLocationId: this.#transfers.get(d.transferId as string)!, lines: d.lines });
      case 'return.received':
        this.#returns.set(d.returnId as string, d.locationId);
        return oms.returnReceive(d);
      case 'return.inspected':
        return oms.inspect({ locationId: this.#returns.get(d.returnId as string)!, lines: d.lines as { sku: string; qty: number; disposition: string }[] });
      default:
        // Master data, status-only events, snapshots and refunds move no stock.
        return;
    }
  }
}
