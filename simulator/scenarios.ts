import { createRng } from './random';
import type { World } from './world';

/**
 * Peak-season scenarios as windows on the simulated timeline. A window says what happens and when;
 * `resolveScenarios` fixes its targets (which SKUs, channel or location) against the world, so the
 * generator and its caller see the same plan.
 */
export const scenarioNames = ['steady', 'flash-sale', 'marketplace-outage', 'payment-provider-failure', 'warehouse-disruption', 'returns-wave'] as const;
export type ScenarioName = (typeof scenarioNames)[number];

export interface ScenarioWindow {
  name: ScenarioName;
  /** From the run's startMs. */
  startOffsetMs: number;
  /** Infinity: until the end of the run. */
  durationMs: number;
  /** flash-sale: SKUs separated by `/`; marketplace-outage: a channel; warehouse-disruption: a location. */
  target?: string;
  /** flash-sale and returns-wave: the multiplier; payment-provider-failure: the failing share; warehouse-disruption: the short-pick rate. */
  factor?: number;
}

/** Long enough to see the effect on a dashboard, short enough to see it end. */
export const defaultDurationsMs: Readonly<Record<ScenarioName, number>> = {
  steady: Number.POSITIVE_INFINITY,
  'flash-sale': 15 * 60_000,
  'marketplace-outage': 10 * 60_000,
  'payment-provider-failure': 10 * 60_000,
  'warehouse-disruption': 20 * 60_000,
  'returns-wave': 30 * 60_000,
};

export const defaultFactors: Readonly<Record<ScenarioName, number>> = {
  steady: 1,
  'flash-sale': 10,
  'marketplace-outage': 1,
  'payment-provider-failure': 0.3,
  'warehouse-disruption': 0.15,
  'returns-wave': 4,
};

/** A timeline that cannot be read: says which item, where, and what was expected. */
export class ScenarioError extends Error {
  override name = 'ScenarioError';
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `90s`, `15m`, `1h30m`, `1.5h`, `500ms`. A bare number is refused: minutes or seconds would be a guess. */
export function parseDuration(text: string): number {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (text.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    throw new ScenarioError(`"${text}" is not a duration: use a number with a unit (ms, s, m, h), e.g. 90s, 15m, 1h30m`);
  }
  return Math.round(parts.reduce((ms, p) => ms + Number(p[1]) * UNIT_MS[p[2]!]!, 0));
}

const ITEM = /^([a-z-]+)(?::([A-Za-z0-9._/-]+))?(?:@([0-9a-z.]+))?(?:\+([0-9a-z.]+))?$/;

/**
 * Reads `name[:target][@start][+duration]` items separated by commas, e.g.
 * `steady,flash-sale@10m+15m,returns-wave@30m`. Start defaults to 0, duration to the scenario's default.
 */
export function parseScenarios(timeline: string): ScenarioWindow[] {
  const windows: ScenarioWindow[] = [];
  let offset = 0;
  for (const [i, raw] of timeline.split(',').entries()) {
    const column = offset + (raw.length - raw.trimStart().length) + 1;
    offset += raw.length + 1;
    const text = raw.trim();
    const where = `scenario ${i + 1} ("${text}", column ${column})`;
    if (text === '') {
      if (timeline.trim() === '') return [];
      throw new ScenarioError(`${where}: empty item; separate scenarios with single commas`);
    }
    const m = ITEM.exec(text);
    if (!m) throw new ScenarioError(`${where}: expected name[:target][@start][+duration], e.g. flash-sale@10m+15m`);
    const name = m[1] as ScenarioName;
    if (!scenarioNames.includes(name)) throw new ScenarioError(`${where}: unknown scenario "${m[1]}"; expected one of ${scenarioNames.join(', ')}`);
    const time = (value: string | undefined, what: string, fallback: number) => {
      if (value === undefined) return fallback;
      try {
        return parseDuration(value);
      } catch (err) {
        throw new ScenarioError(`${where}: bad ${what}: ${(err as Error).message}`);
      }
    };
    const durationMs = time(m[4], 'duration', defaultDurationsMs[name]);
    if (durationMs <= 0) throw new ScenarioError(`${where}: the duration must be more than 0`);
    const window: ScenarioWindow = { name, startOffsetMs: time(m[3], 'start', 0), durationMs };
    if (m[2] !== undefined) window.target = m[2];
    windows.push(window);
  }
  return windows;
}

/** A window fixed to absolute simulated time and to its targets in the world. */
export interface ScenarioPlan {
  name: ScenarioName;
  startMs: number;
  /** Exclusive. */
  endMs: number;
  factor: number;
  /** flash-sale. */
  skus?: string[];
  /** marketplace-outage. */
  channel?: string;
  source?: string;
  /** warehouse-disruption. */
  locationId?: string;
}

const FLASH_SKUS = 3;

export function resolveScenarios(input: { windows: readonly ScenarioWindow[]; world: World; startMs: number; seed: number }): ScenarioPlan[] {
  const { world } = input;
  const used = new Set<string>();
  return input.windows.map((w, i) => {
    const where = `scenario ${i + 1} (${w.name})`;
    if (!(w.startOffsetMs >= 0) || !(w.durationMs > 0)) throw new ScenarioError(`${where}: start must be ≥ 0 and duration > 0`);
    const plan: ScenarioPlan = { name: w.name, startMs: input.startMs + w.startOffsetMs, endMs: input.startMs + w.startOffsetMs + w.durationMs, factor: w.factor ?? defaultFactors[w.name] };
    if (w.name === 'flash-sale') plan.skus = w.target ? flashTargets(world, w.target, where) : pickFlashSkus({ world, used, seed: input.seed + i });
    if (w.name === 'marketplace-outage') {
      const channel = world.channels.find((c) => c.channel === (w.target ?? 'amazon'));
      if (!channel) throw new ScenarioError(`${where}: unknown channel "${w.target}"; expected one of ${world.channels.map((c) => c.channel).join(', ')}`);
      Object.assign(plan, { channel: channel.channel, source: channel.source });
    }
    if (w.name === 'warehouse-disruption') {
      const location = world.locations.find((l) => l.locationId === (w.target ?? 'dc-east') && l.shipsToCustomers);
      if (!location) throw new ScenarioError(`${where}: "${w.target}" is not a location that ships; expected one of ${world.locations.filter((l) => l.shipsToCustomers).map((l) => l.locationId).join(', ')}`);
      plan.locationId = location.locationId;
    }
    if (w.target !== undefined && !['flash-sale', 'marketplace-outage', 'warehouse-disruption'].includes(w.name)) {
      throw new ScenarioError(`${where}: takes no target`);
    }
    return plan;
  });
}

function flashTargets(world: World, target: string, where: string): string[] {
  const skus = target.split('/');
  const unknown = skus.filter((s) => !world.itemIndex.has(s));
  if (unknown.length > 0) throw new ScenarioError(`${where}: unknown SKU ${unknown.join(', ')}`);
  return skus;
}

/** Popular but not the very top sellers (ranks 5–40): a promotion, not the everyday best seller. */
function pickFlashSkus(input: { world: World; used: Set<string>; seed: number }): string[] {
  const n = input.world.items.length;
  const lo = Math.min(5, n);
  const hi = Math.min(40, n);
  let pool = input.world.items.filter((it) => it.rank >= lo && it.rank <= hi && !input.used.has(it.sku));
  if (pool.length < FLASH_SKUS) pool = input.world.items.filter((it) => it.rank >= lo && it.rank <= hi);
  pool.sort((a, b) => a.rank - b.rank);
  const rng = createRng(input.seed ^ 0xf1a5);
  const skus: string[] = [];
  while (skus.length < Math.min(FLASH_SKUS, pool.length)) {
    const [item] = pool.splice(Math.floor(rng.next() * pool.length), 1);
    skus.push(item!.sku);
  }
  skus.forEach((s) => input.used.add(s));
  return skus;
}

export const activeAt = (plans: readonly ScenarioPlan[], name: ScenarioName, at: number) =>
  plans.filter((p) => p.name === name && p.startMs <= at && at < p.endMs);
