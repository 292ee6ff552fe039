/** The peak-season simulator's public API: generate a stream, parse a scenario timeline, send it. */
export { RetailSimulator, TICK_MS, type SimulatorOptions } from './generator';
export type { RawEvent } from './raw-event';
export {
  defaultDurationsMs, defaultFactors, parseDuration, parseScenarios, scenarioNames, ScenarioError,
  type ScenarioName, type ScenarioPlan, type ScenarioWindow,
} from './scenarios';
export { sendStream, type SendProgress } from './send-stream';
export { ModelReplay } from './model-replay';
export type { Bucket, ModelOrder, OmsView } from './oms-model';
export type { SimChannel, SimItem, SimLocation, World } from './world';
