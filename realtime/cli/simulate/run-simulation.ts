import { RetailSimulator } from '../../../simulator/generator';
import type { RawEvent } from '../../../simulator/raw-event';
import type { ScenarioPlan } from '../../../simulator/scenarios';
import type { Send } from '../import/send';
import type { ProgressStream } from '../import/progress';
import type { SimulateOptions } from './options';

export interface SimulationSummary {
  sent: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  /** The first rejections, `id: path: message`. */
  errors: string[];
}

const BATCH = 1000;
const LIVE_TICK_MS = 500;
const REDRAW_MS = 250;
const PLAIN_EVERY_MS = 5000;

/** One line that redraws itself on a terminal, and a line every few seconds otherwise (a log, CI). */
class StatusLine {
  #shownAt = 0;
  #open = false;
  constructor(private readonly out: ProgressStream, private readonly now: () => number) {}

  show(text: string, force = false): void {
    const t = this.now();
    if (!force && t - this.#shownAt < (this.out.isTTY ? REDRAW_MS : PLAIN_EVERY_MS)) return;
    this.#shownAt = t;
    if (this.out.isTTY) {
      this.out.write(`\r\x1b[2K${text.slice(0, (this.out.columns || 100) - 1)}`);
      this.#open = true;
    } else this.out.write(`${text}\n`);
  }

  note(text: string): void {
    if (this.#open) this.out.write('\r\x1b[2K');
    this.#open = false;
    this.out.write(`${text}\n`);
  }

  end(): void {
    if (this.#open) this.out.write('\n');
    this.#open = false;
  }
}

const clock = (ms: number) => new Date(ms).toISOString().slice(11, 19);
const elapsed = (ms: number) => {
  const s = Math.floor(ms / 1000);
  return `${String(Math.floor(s / 3600)).padStart(2, '0')}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
};
const active = (plans: readonly ScenarioPlan[], at: number) =>
  plans.filter((p) => p.name !== 'steady' && p.startMs <= at && at < p.endMs).map((p) => p.name).join(', ') || 'steady';

/**
 * Streams a simulated retailer to a tower through its public ingest API: master data and opening
 * stock, then `backfillMs` of history as fast as the tower takes it, then live, `speed` simulated
 * seconds per real second, for `durationMs` (or until `signal` aborts). Batches go one after another,
 * in the order the simulator emitted them: its book assumes the tower applies them in that order.
 */
export async function runSimulation(input: {
  options: Omit<SimulateOptions, 'url' | 'apiKey'>;
  send: Send;
  out: ProgressStream;
  signal?: AbortSignal;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}): Promise<SimulationSummary> {
  const o = input.options;
  const now = input.now ?? Date.now;
  const sleep = input.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const realStart = now();
  // The simulated clock reaches the real one exactly when the run ends, never later.
  const liveStartSim = realStart - (o.speed > 1 ? (o.speed - 1) * o.durationMs : 0);
  const simStart = liveStartSim - o.backfillMs;
  const sim = new RetailSimulator({
    seed: o.seed, runId: `s${realStart.toString(36)}`, startMs: simStart, ordersPerMinute: o.ordersPerMinute, skuCount: o.skus,
    // Scenario times count from the start of the live stream.
    scenarios: o.scenarios.map((w) => ({ ...w, startOffsetMs: w.startOffsetMs + o.backfillMs })),
  });
  const status = new StatusLine(input.out, now);
  const summary: SimulationSummary = { sent: 0, accepted: 0, duplicates: 0, rejected: 0, errors: [] };
  let phaseStart = realStart;
  let phaseSent = 0;
  const rate = () => Math.round(phaseSent / Math.max(1e-3, (now() - phaseStart) / 1000));
  const send = async (events: RawEvent[]) => {
    for (let i = 0; i < events.length; i += BATCH) {
      const batch = events.slice(i, i + BATCH);
      const result = await input.send(batch as never);
      summary.sent += batch.length;
      phaseSent += batch.length;
      summary.accepted += result.accepted;
      summary.duplicates += result.duplicates;
      summary.rejected += result.rejected.length;
      for (const r of result.rejected) {
        const line = `${batch[r.index]?.id ?? `#${r.index}`}: ${r.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`;
        if (summary.errors.length < 20) summary.errors.push(line);
        if (summary.errors.length <= 5) status.note(`rejected ${line}`);
      }
    }
  };
  const errors = () => `${summary.rejected} rejected`;

  const setup = sim.setup();
  status.note(`master data and opening stock: ${setup.length} events (${sim.world.items.length} SKUs, ${sim.world.locations.length} locations, ${sim.world.channels.length} channels)`);
  await send(setup);

  if (o.backfillMs > 0) {
    phaseStart = now();
    phaseSent = 0;
    for (let t = simStart; t < liveStartSim && !input.signal?.aborted; ) {
      t = Math.min(liveStartSim, t + 60_000);
      await send(sim.advance(t));
      status.show(`backfill ${Math.round((t - simStart) / 60_000)}/${Math.round(o.backfillMs / 60_000)} min · ${summary.sent.toLocaleString('en-US')} events sent · ${rate()}/s · ${errors()}`);
    }
    status.show(`backfill done · ${summary.sent.toLocaleString('en-US')} events sent · ${errors()}`, true);
    status.end();
  }

  const liveStartReal = now();
  phaseStart = liveStartReal;
  phaseSent = 0;
  while (!input.signal?.aborted) {
    const realElapsed = now() - liveStartReal;
    const simTarget = liveStartSim + o.speed * Math.min(realElapsed, o.durationMs);
    await send(sim.advance(simTarget));
    status.show(`live ${elapsed(realElapsed)} · simulated ${clock(simTarget)} UTC (×${o.speed}) · ${summary.sent.toLocaleString('en-US')} events sent · ${rate()}/s · ${errors()} · ${active(sim.plans, simTarget)}`);
    if (realElapsed >= o.durationMs) break;
    await sleep(LIVE_TICK_MS);
  }
  status.show(`stopped · ${summary.sent.toLocaleString('en-US')} events sent · ${summary.accepted.toLocaleString('en-US')} accepted · ${summary.duplicates} duplicates · ${errors()}`, true);
  status.end();
  return summary;
}
