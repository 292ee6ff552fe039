import { RetailSimulator, type SimulatorOptions } from './generator';
import type { RawEvent } from './raw-event';

/** A chunk of the stream with the simulated time it was emitted up to. */
export interface Chunk {
  untilMs: number;
  events: RawEvent[];
}

export const START_MS = Date.parse('2026-11-27T08:00:00.000Z');

/** Runs a simulator from setup for `minutes`, advancing `stepMs` at a time (tests and ad-hoc timing). */
export function runFor(input: { minutes: number; stepMs?: number; options?: Partial<SimulatorOptions> }): { sim: RetailSimulator; setup: RawEvent[]; chunks: Chunk[]; events: RawEvent[] } {
  const sim = new RetailSimulator({ seed: 1, runId: 'test', startMs: START_MS, ...input.options });
  const startMs = input.options?.startMs ?? START_MS;
  const setup = sim.setup();
  const chunks: Chunk[] = [];
  const step = input.stepMs ?? 60_000;
  for (let until = startMs + step; until <= startMs + input.minutes * 60_000; until += step) chunks.push({ untilMs: until, events: sim.advance(until) });
  return { sim, setup, chunks, events: chunks.flatMap((c) => c.events) };
}
