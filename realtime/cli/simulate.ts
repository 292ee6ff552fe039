import { buildWorld } from '../../simulator/world';
import { createSender, SendAborted } from './import/send';
import { parseSimulateArgs, usage, UsageError } from './simulate/options';
import { runSimulation } from './simulate/run-simulation';

const COMMAND = 'npm run simulate --';

/** `npm run simulate -- --url … --api-key … [options]`: a simulated retailer streamed to any tower through its ingest API. */
async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseSimulateArgs(process.argv.slice(2), process.env, { timeline: 'steady', backfill: '0s', needsTower: true });
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${err.message}\n\n${usage(COMMAND)}`);
    return 2;
  }
  if ('listSources' in parsed) {
    process.stdout.write(`${buildWorld({ seed: 1, skuCount: 10 }).sources.join(',')}\n`);
    return 0;
  }
  if (parsed.help) {
    process.stdout.write(usage(COMMAND, '\nStreams a simulated omnichannel retailer to a tower: --url (or TOWER_URL) and --api-key (or TOWER_API_KEY),\nissued for the sources that --list-sources prints.\n'));
    return 0;
  }
  const { url, apiKey, ...options } = parsed.options;
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  process.once('SIGTERM', () => stop.abort());
  try {
    const send = createSender({ url: url!, apiKey: apiKey!, onWait: (m) => process.stderr.write(`\n${m}\n`) });
    const summary = await runSimulation({ options, send, out: process.stderr, signal: stop.signal });
    return summary.rejected > 0 ? 1 : 0;
  } catch (err) {
    if (err instanceof SendAborted) {
      process.stderr.write(`\n${err.message}\n`);
      return err.exitCode;
    }
    throw err;
  }
}

process.exitCode = await main();
