import type { KpiFact, MeasuredFacts } from '../kpis/facts';
import type { KpiMeasures } from '../kpis/types';
import { bucketIndex } from './histogram';

/**
 * How KPI facts live in Redis: every fact increments fields of the hash of its minute and of its
 * business day, named `<measure>|c=<channel>` or `<measure>|l=<location>`. Totals are not stored:
 * every order-side fact has a channel and every count a location, so a total is the sum of one
 * dimension. Histogram measures carry their 5 % bucket: `sh:<bucket>` (cycle time, ms) and
 * `rh:<bucket>` (return resolution, ms).
 *
 * | measure | meaning |
 * | --- | --- |
 * | `o`, `u` | orders created, units ordered (by location: orders whose first shipment left from it) |
 * | `fo`, `fu`, `fq`, `fc` | first shipments: orders, units on them, units those orders ordered, orders complete |
 * | `sc`, `so`, `sm`, `sh:<b>` | fully shipped orders, those on time, Σ cycle ms, cycle histogram |
 * | `bo` | units ever backordered, by the order's time |
 * | `ic`, `iw` | cycle counts, those within tolerance |
 * | `rc`, `rh:<b>` | returns resolved, resolution histogram |
 * | `dc`, `dl` | disposition lines, loss in cents |
 */
export interface KpiIncrement {
  /** The event time that decides the minute and day buckets. */
  atMs: number;
  field: string;
  by: number;
}

const byChannel = (measure: string, channel: string) => `${measure}|c=${channel}`;
const byLocation = (measure: string, locationId: string) => `${measure}|l=${locationId}`;

/** The field increments one KPI fact makes. */
export function kpiIncrements(f: KpiFact): KpiIncrement[] {
  const both = (atMs: number, channel: string, locationId: string, pairs: [string, number][]) =>
    pairs.flatMap(([measure, by]) => [
      { atMs, field: byChannel(measure, channel), by },
      { atMs, field: byLocation(measure, locationId), by },
    ]);
  switch (f.kind) {
    case 'order':
      return [
        { atMs: f.occurredAtMs, field: byChannel('o', f.channel), by: f.count },
        { atMs: f.occurredAtMs, field: byChannel('u', f.channel), by: f.units },
      ];
    case 'firstShipment':
      return [
        ...both(f.shippedAtMs, f.channel, f.locationId, [['fo', f.orders], ['fu', f.units], ['fq', f.orderedUnits], ['fc', f.complete]]),
        { atMs: f.createdAtMs, field: byLocation('o', f.locationId), by: f.orders },
        { atMs: f.createdAtMs, field: byLocation('u', f.locationId), by: f.orderedUnits },
      ];
    case 'fulfilled':
      return both(f.shippedAtMs, f.channel, f.locationId, [
        ['sc', f.count], ['so', f.onTime], ['sm', f.cycleMs * f.count], [`sh:${bucketIndex(f.cycleMs)}`, f.count],
      ]);
    case 'backordered':
      return [{ atMs: f.createdAtMs, field: byChannel('bo', f.channel), by: f.units }];
    case 'counted':
      return [
        { atMs: f.countedAtMs, field: byLocation('ic', f.locationId), by: f.count },
        { atMs: f.countedAtMs, field: byLocation('iw', f.locationId), by: f.withinTolerance },
      ];
    case 'returnResolved':
      return both(f.resolvedAtMs, f.channel, f.locationId, [['rc', f.count], [`rh:${bucketIndex(f.resolutionMs)}`, f.count]]);
    case 'disposition':
      return both(f.inspectedAtMs, f.channel, f.locationId, [['dc', f.count], ['dl', f.lossCents]]);
  }
}

/** Empty measures whose distributions are histogram buckets. */
export const emptyBucketMeasures = (): KpiMeasures => ({
  orders: 0,
  unitsOrdered: 0,
  firstShipped: { orders: 0, units: 0, orderedUnits: 0, complete: 0 },
  fulfilled: { orders: 0, onTime: 0, sumMs: 0, cycle: { kind: 'buckets', counts: new Map() } },
  backorderedUnits: 0,
  counts: { total: 0, withinTolerance: 0 },
  returns: { resolved: 0, resolution: { kind: 'buckets', counts: new Map() } },
  dispositions: { lines: 0, lossCents: 0 },
});

const addBuckets = (target: KpiMeasures['fulfilled']['cycle'], index: number, by: number) => {
  if (target.kind !== 'buckets' || by === 0) return;
  target.counts.set(index, (target.counts.get(index) ?? 0) + by);
};

/** Adds `src` into `target` (both with bucket distributions); `counts` only when asked (a total takes them from locations). */
function addMeasures(target: KpiMeasures, src: KpiMeasures, parts: { orderSide: boolean; counts: boolean }): void {
  if (parts.orderSide) {
    target.orders += src.orders;
    target.unitsOrdered += src.unitsOrdered;
    for (const k of ['orders', 'units', 'orderedUnits', 'complete'] as const) target.firstShipped[k] += src.firstShipped[k];
    target.fulfilled.orders += src.fulfilled.orders;
    target.fulfilled.onTime += src.fulfilled.onTime;
    target.fulfilled.sumMs += src.fulfilled.sumMs;
    if (src.fulfilled.cycle.kind === 'buckets') for (const [i, n] of src.fulfilled.cycle.counts) addBuckets(target.fulfilled.cycle, i, n);
    target.backorderedUnits += src.backorderedUnits;
    target.returns.resolved += src.returns.resolved;
    if (src.returns.resolution.kind === 'buckets') for (const [i, n] of src.returns.resolution.counts) addBuckets(target.returns.resolution, i, n);
    target.dispositions.lines += src.dispositions.lines;
    target.dispositions.lossCents += src.dispositions.lossCents;
  }
  if (parts.counts) {
    target.counts.total += src.counts.total;
    target.counts.withinTolerance += src.counts.withinTolerance;
  }
}

/** Sums the fields of several hashes (the buckets of one window). */
export function sumFields(hashes: Iterable<Record<string, string> | undefined>): Map<string, number> {
  const sum = new Map<string, number>();
  for (const h of hashes) {
    for (const [field, value] of Object.entries(h ?? {})) sum.set(field, (sum.get(field) ?? 0) + Number(value));
  }
  return sum;
}

/** Turns summed KPI fields back into measures, per channel, per location and in total. */
export function measuresFromFields(fields: ReadonlyMap<string, number>): MeasuredFacts {
  const channels = new Map<string, KpiMeasures>();
  const locations = new Map<string, KpiMeasures>();
  for (const [field, by] of fields) {
    const bar = field.indexOf('|');
    if (bar < 0 || field[bar + 2] !== '=') continue;
    const map = field[bar + 1] === 'c' ? channels : locations;
    const name = field.slice(bar + 3);
    let m = map.get(name);
    if (!m) map.set(name, (m = emptyBucketMeasures()));
    const [measure, bucket] = field.slice(0, bar).split(':') as [string, string | undefined];
    switch (measure) {
      case 'o': m.orders += by; break;
      case 'u': m.unitsOrdered += by; break;
      case 'fo': m.firstShipped.orders += by; break;
      case 'fu': m.firstShipped.units += by; break;
      case 'fq': m.firstShipped.orderedUnits += by; break;
      case 'fc': m.firstShipped.complete += by; break;
      case 'sc': m.fulfilled.orders += by; break;
      case 'so': m.fulfilled.onTime += by; break;
      case 'sm': m.fulfilled.sumMs += by; break;
      case 'sh': addBuckets(m.fulfilled.cycle, Number(bucket), by); break;
      case 'bo': m.backorderedUnits += by; break;
      case 'ic': m.counts.total += by; break;
      case 'iw': m.counts.withinTolerance += by; break;
      case 'rc': m.returns.resolved += by; break;
      case 'rh': addBuckets(m.returns.resolution, Number(bucket), by); break;
      case 'dc': m.dispositions.lines += by; break;
      case 'dl': m.dispositions.lossCents += by; break;
    }
  }
  const total = emptyBucketMeasures();
  for (const m of channels.values()) addMeasures(total, m, { orderSide: true, counts: false });
  for (const m of locations.values()) addMeasures(total, m, { orderSide: false, counts: true });
  return { total, byChannel: channels, byLocation: locations };
}
