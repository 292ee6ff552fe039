import { parseCli, UsageError, USAGE, type Cli } from './import/args';
import { runImport } from './import/run-import';

/** `npm run import -- [options] file.csv...`: items, locations and opening stock from CSV, through the ingest API. */
async function main(): Promise<number> {
  let cli: Cli;
  try {
    cli = parseCli(process.argv.slice(2), process.env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${err.message}\n\n${USAGE}`);
    return 2;
  }
  if (cli.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  return runImport(cli.options, { stdout: process.stdout, stderr: process.stderr, now: () => new Date() });
}

process.exitCode = await main();
