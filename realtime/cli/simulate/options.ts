import { parseArgs } from 'node:util';
import { parseDuration, parseScenarios, ScenarioError, type ScenarioWindow } from '../../../simulator/scenarios';

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface SimulateOptions {
  url: string;
  apiKey: string;
  /** The scenario timeline, offsets from the start of the live stream. */
  scenarios: ScenarioWindow[];
  timeline: string;
  seed: number;
  /** Simulated seconds per real second. */
  speed: number;
  /** Real time to stream for; Infinity: until stopped. */
  durationMs: number;
  /** Simulated history sent at once before the live stream, ending now (the charts have an hour to show). */
  backfillMs: number;
  ordersPerMinute: number;
  skus: number;
}

export const DEMO_TIMELINE = 'steady,flash-sale@2m,payment-provider-failure@8m,marketplace-outage@12m,warehouse-disruption@20m,returns-wave@25m';

export const usage = (command: string, extra = '') => `usage: ${command} [options]
${extra}
options:
  --scenario LIST        scenarios on a timeline, name[:target][@start][+duration], comma separated
                         (steady, flash-sale, marketplace-outage, payment-provider-failure,
                         warehouse-disruption, returns-wave); start and duration like 90s, 10m, 1h,
                         counted from the start of the live stream (default: ${command.includes('demo') ? 'a tour of all of them' : 'steady'})
  --seed N               the same seed gives the same stream (default 1)
  --speed N              simulated seconds per real second, 1 to 3600 (default 1); above 1 needs --duration
  --duration TIME        how long to stream, e.g. 30m (default: until Ctrl-C)
  --backfill TIME        simulated history sent at once first, ending now (default: ${command.includes('demo') ? '60m' : '0'})
  --orders-per-minute N  orders over all channels (default ${command.includes('demo') ? '600' : '300'}); every other rate follows
  --skus N               catalogue size (default 2000)
  --list-sources         print the sources an API key must be issued for, and exit
  -h, --help             this text
`;

const positive = (name: string, text: string, max: number): number => {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || n > max) throw new UsageError(`${name} must be a number above 0 and at most ${max}, not "${text}"`);
  return n;
};

const duration = (name: string, text: string): number => {
  try {
    return parseDuration(text);
  } catch (err) {
    throw new UsageError(`${name}: ${(err as Error).message}`);
  }
};

/**
 * The simulator's options, shared by `npm run simulate` (a client of any tower: --url, --api-key) and
 * `npm run demo` (which starts its own tower and passes those two itself).
 */
export function parseSimulateArgs(
  argv: string[],
  env: Record<string, string | undefined>,
  defaults: { timeline: string; backfill: string; ordersPerMinute?: string; needsTower: boolean },
): { help: true } | { listSources: true } | { help: false; options: Omit<SimulateOptions, 'url' | 'apiKey'> & Partial<Pick<SimulateOptions, 'url' | 'apiKey'>> } {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        url: { type: 'string' },
        'api-key': { type: 'string' },
        scenario: { type: 'string', default: defaults.timeline },
        seed: { type: 'string', default: '1' },
        speed: { type: 'string', default: '1' },
        duration: { type: 'string' },
        backfill: { type: 'string', default: defaults.backfill },
        'orders-per-minute': { type: 'string', default: defaults.ordersPerMinute ?? '300' },
        skus: { type: 'string', default: '2000' },
        'list-sources': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const v = parsed.values;
  if (v.help) return { help: true };
  if (v['list-sources']) return { listSources: true };
  let scenarios: ScenarioWindow[];
  try {
    scenarios = parseScenarios(v.scenario);
  } catch (err) {
    if (err instanceof ScenarioError) throw new UsageError(`--scenario: ${err.message}`);
    throw err;
  }
  const seed = Number(v.seed);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new UsageError(`--seed must be a whole number, not "${v.seed}"`);
  const speed = positive('--speed', v.speed, 3600);
  const durationMs = v.duration === undefined ? Number.POSITIVE_INFINITY : duration('--duration', v.duration);
  // Simulated time may not run ahead of the real clock (the tower refuses events from the future).
  if (speed > 1 && !Number.isFinite(durationMs)) throw new UsageError('--speed above 1 needs --duration: the simulated clock is started that much earlier so it reaches now at the end');
  const options = {
    scenarios, timeline: v.scenario, seed, speed, durationMs, backfillMs: duration('--backfill', v.backfill),
    ordersPerMinute: positive('--orders-per-minute', v['orders-per-minute'], 100_000), skus: Math.round(positive('--skus', v.skus, 99_999)),
  };
  if (!defaults.needsTower) return { help: false, options };
  const url = v.url ?? env.TOWER_URL ?? 'http://localhost:3000';
  if (!/^https?:\/\/[^/]/.test(url) || !URL.canParse(url)) throw new UsageError(`--url must be an http(s) URL, not "${url}"`);
  const apiKey = v['api-key'] ?? env.TOWER_API_KEY;
  if (!apiKey) throw new UsageError('--api-key (or TOWER_API_KEY) is required: an ingest key issued for the simulator\'s sources (npm run simulate -- --list-sources prints them)');
  return { help: false, options: { ...options, url, apiKey } };
}
