import { parseArgs } from 'node:util';
import { envelopeSchema } from '../../../domain/events/schemas';
import { findKind, kindNames } from './kinds';
import type { ImportOptions } from './run-import';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const USAGE = `usage: npm run import -- [options] file.csv...

Sends items, locations and opening stock from CSV files to the tower's ingest API.
The header row tells the kind of each file:
  items      sku,name,unitCost,unitPrice[,safetyStock]             item.upserted
  locations  locationId,name,kind,region,shipsToCustomers,priority  location.upserted
  stock      locationId,sku,qty[,reference]                         stock.received (opening stock)

options:
  --url URL           the tower (default: $TOWER_URL, else http://localhost:3000)
  --api-key KEY       an ingest API key (default: $TOWER_API_KEY)
  --source NAME       the event source; the key must allow it (default: import)
  --kind KIND         ${kindNames.join(' | ')}, for files whose header does not tell
  --occurred-at TIME  the events' occurredAt, ISO-8601 with an offset (default: now)
  --report FILE       write every problem as CSV (file,line,column,message)
  -h, --help          this text

exit code: 0 every row accepted or a duplicate, 1 some row rejected or not sent, 2 usage error
`;

export type Cli = { help: true } | { help: false; options: ImportOptions };

const firstIssue = (r: { success: boolean; error?: { issues: { message: string }[] } }) => r.error?.issues[0]?.message ?? 'is invalid';

export function parseCli(argv: string[], env: Record<string, string | undefined>): Cli {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        url: { type: 'string' },
        'api-key': { type: 'string' },
        source: { type: 'string', default: 'import' },
        kind: { type: 'string' },
        'occurred-at': { type: 'string' },
        report: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values: v, positionals: files } = parsed;
  if (v.help) return { help: true };

  const url = v.url ?? env.TOWER_URL ?? 'http://localhost:3000';
  if (!/^https?:\/\/[^/]/.test(url) || !URL.canParse(url)) throw new UsageError(`--url must be an http(s) URL, not "${url}"`);
  const apiKey = v['api-key'] ?? env.TOWER_API_KEY;
  if (!apiKey) throw new UsageError('no API key: pass --api-key or set TOWER_API_KEY');
  const source = envelopeSchema.shape.source.safeParse(v.source);
  if (!source.success) throw new UsageError(`--source ${firstIssue(source)}`);
  const kind = v.kind === undefined ? undefined : findKind(v.kind);
  if (v.kind !== undefined && !kind) throw new UsageError(`--kind must be one of ${kindNames.join(', ')}`);
  const occurredAt = v['occurred-at'];
  if (occurredAt !== undefined) {
    const r = envelopeSchema.shape.occurredAt.safeParse(occurredAt);
    if (!r.success) throw new UsageError(`--occurred-at ${firstIssue(r)}`);
  }
  if (files.length === 0) throw new UsageError('no CSV file given');

  return {
    help: false,
    options: {
      url,
      apiKey,
      source: source.data,
      files,
      ...(kind ? { kind } : {}),
      ...(occurredAt !== undefined ? { occurredAt } : {}),
      ...(v.report !== undefined ? { report: v.report } : {}),
    },
  };
}
