import { describe, expect, it } from 'vitest';
import { measureFacts, type KpiFact } from '../kpis/facts';
import { lossCents } from '../kpis/formulas';
import { kpiBreakdown, noNowFigures } from '../kpis/report';
import type { KpiSet } from '../kpis/types';
import { liveRanges } from '../kpis/window';
import { liveWrites } from './aggregates';
import { kpiIncrements } from './kpi-fields';
import { buildLiveKpis, liveKpiKeys } from './kpis';

const NOW = Date.parse('2026-11-27T10:30:30.000Z');
const CHANNELS = ['web', 'mkt-a', 'mkt-b'];
const LOCATIONS = ['DC-EAST', 'STORE-WEST'];

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function rng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomFacts(seed: number, n: number): KpiFact[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  // Event times over the last 26 h (and a few minutes ahead), so every window has facts on both sides of its edges.
  const time = () => Math.floor(NOW - r() * 26 * 3_600_000 + 300_000 * r());
  const facts: KpiFact[] = [];
  for (let i = 0; i < n; i++) {
    const channel = pick(CHANNELS);
    const locationId = pick(LOCATIONS);
    const units = 1 + Math.floor(r() * 5);
    switch (Math.floor(r() * 7)) {
      case 0: facts.push({ kind: 'order', occurredAtMs: time(), channel, units, count: 1 }); break;
      case 1: {
        const shipped = Math.min(units, 1 + Math.floor(r() * units));
        const f: KpiFact = { kind: 'firstShipment', shippedAtMs: time(), createdAtMs: time(), channel, locationId, orders: 1, units: shipped, orderedUnits: units, complete: shipped === units ? 1 : 0 };
        facts.push(f);
        // Now and then a late, earlier shipment displaces it: the correction cancels it.
        if (r() < 0.2) facts.push({ ...f, orders: -1, units: -shipped, orderedUnits: -units, complete: -f.complete });
        break;
      }
      case 2: facts.push({ kind: 'fulfilled', shippedAtMs: time(), channel, locationId, cycleMs: Math.floor(r() * 3 * 86_400_000), onTime: r() < 0.8 ? 1 : 0, count: 1 }); break;
      case 3: facts.push({ kind: 'backordered', createdAtMs: time(), channel, units }); break;
      case 4: facts.push({ kind: 'counted', countedAtMs: time(), locationId, withinTolerance: r() < 0.9 ? 1 : 0, count: 1 }); break;
      case 5: facts.push({ kind: 'returnResolved', resolvedAtMs: time(), channel, locationId, resolutionMs: Math.floor(r() * 5 * 86_400_000), count: 1 }); break;
      default: facts.push({ kind: 'disposition', inspectedAtMs: time(), channel, locationId, lossCents: r() < 0.5 ? 0 : lossCents(6.5, units), count: 1 });
    }
  }
  return facts;
}

/** Plays writes into an in-memory "Redis" of hashes. */
function play(facts: KpiFact[], timeZone: string): Map<string, Record<string, string>> {
  const store = new Map<string, Record<string, string>>();
  for (const w of liveWrites('p', facts, NOW, { timeZone })) {
    const h = store.get(w.key) ?? {};
    h[w.field] = String(Number(h[w.field] ?? 0) + w.by);
    store.set(w.key, h);
  }
  return store;
}

/**
 * Within one 5 % bucket: the live figure is the upper bound of the bucket holding the exact one, so it
 * is never below it and at most 5 % above (bucket 0 reads 1 ms; seconds are rounded to the ms).
 */
function expectSameBucket(live: number | null, exact: number | null) {
  if (exact === null) return expect(live).toBeNull();
  expect(live).toBeGreaterThanOrEqual(exact);
  expect(live).toBeLessThanOrEqual(Math.max(exact * 1.05, 0.001) + 0.0005);
}

function expectLiveMatches(live: KpiSet, reference: KpiSet) {
  const { cycleTime, returnResolution, ...counted } = live;
  const { cycleTime: refCycle, returnResolution: refReturns, ...refCounted } = reference;
  expect(counted).toEqual(refCounted);
  expect(cycleTime.mean).toBe(refCycle.mean);
  for (const q of ['p50', 'p90', 'p99'] as const) expectSameBucket(cycleTime[q], refCycle[q]);
  for (const q of ['p50', 'p90'] as const) expectSameBucket(returnResolution[q], refReturns[q]);
}

describe('live KPIs', () => {
  for (const timeZone of ['UTC', 'America/New_York']) {
    it(`equal the reference definition in every window and breakdown (${timeZone})`, () => {
      const facts = randomFacts(timeZone.length, 3000);
      const store = play(facts, timeZone);
      const keys = liveKpiKeys('p', NOW, timeZone);
      const live = buildLiveKpis({
        nowMs: NOW, timeZone, minutes: keys.minutes.map((k) => store.get(k)), day: store.get(keys.day), seconds: [],
        now: { total: noNowFigures(), byChannel: new Map() }, channels: CHANNELS, locations: LOCATIONS,
      });
      const ranges = liveRanges(NOW, timeZone);
      for (const w of ['15m', '60m', 'today'] as const) {
        const reference = kpiBreakdown({
          measured: measureFacts(facts, ranges[w]), now: { total: noNowFigures(), byChannel: new Map() },
          throughput: { applied: 0, lag: { kind: 'values', values: [] } }, channels: CHANNELS, locations: LOCATIONS,
        });
        expect(reference.kpis.orders).toBeGreaterThan(0);
        expectLiveMatches(live.windows[w], reference.kpis);
        for (const c of CHANNELS) expectLiveMatches(live.byChannel[w][c]!, reference.byChannel[c]!);
        for (const l of LOCATIONS) expectLiveMatches(live.byLocation[w][l]!, reference.byLocation[l]!);
      }
    });
  }

  it('put a fact at a minute\'s first millisecond in that minute, and one a millisecond earlier in the one before', () => {
    const at = Date.parse('2026-11-27T10:20:00.000Z');
    const store = play([
      { kind: 'backordered', createdAtMs: at, channel: 'web', units: 2 },
      { kind: 'backordered', createdAtMs: at - 1, channel: 'web', units: 5 },
    ], 'UTC');
    expect(store.get(`p:live:k:${at}`)).toEqual({ 'bo|c=web': '2' });
    expect(store.get(`p:live:k:${at - 60_000}`)).toEqual({ 'bo|c=web': '5' });
    expect(store.get(`p:live:d:${Date.parse('2026-11-27T00:00:00Z')}`)).toEqual({ 'bo|c=web': '7' });
  });

  it('store no totals: every order-side field names a channel or a location', () => {
    const fields = randomFacts(7, 200).flatMap(kpiIncrements).map((i) => i.field);
    expect(fields.every((f) => /^[a-z]+(:\d+)?\|[cl]=/.test(f))).toBe(true);
  });
});
