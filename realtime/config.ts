import { parseConfig, type Config } from '../domain/config';

/** The only place that reads `process.env`: everything else receives the parsed `Config`. */
export function loadConfig(overrides: Record<string, string | undefined> = {}): Config {
  return parseConfig({ ...process.env, ...overrides });
}
