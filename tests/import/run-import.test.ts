import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TowerEvent } from '../../domain/events/validate';
import { parseCli, UsageError } from '../../realtime/cli/import/args';
import { Progress } from '../../realtime/cli/import/progress';
import { runImport, type ImportOptions } from '../../realtime/cli/import/run-import';
import { SendAborted, type BatchResult } from '../../realtime/cli/import/send';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'import-run-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function csv(name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

async function run(opts: Partial<ImportOptions> & { files: string[] }, send: (events: TowerEvent[]) => Promise<BatchResult>) {
  let stdout = '';
  let stderr = '';
  const sent: TowerEvent[][] = [];
  const code = await runImport(
    { url: 'http://tower.test', apiKey: 'k', source: 'erp', ...opts },
    {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { isTTY: false, write: (s: string) => (stderr += s) },
      now: () => new Date('2026-11-27T09:00:00Z'),
      send: (events) => (sent.push(events), send(events)),
    },
  );
  return { code, stdout, stderr, sent };
}
const acceptAll = async (events: TowerEvent[]) => ({ accepted: events.length, duplicates: 0, rejected: [] });

describe('runImport', () => {
  it('sends master data before stock and reports local and tower rejections by file, line and column', async () => {
    const stock = await csv('stock.csv', 'locationId,sku,qty\nDC-1,SKU-1,5\nDC-1,SKU-1,-2\nDC-1,SKU-2,7\n');
    const items = await csv('items.csv', 'sku,name,unitCost,unitPrice\nSKU-1,Mug,1,2\n');
    const report = path.join(dir, 'report.csv');
    const r = await run({ files: [stock, items], report }, async (events) =>
      events[0]!.type === 'stock.received'
        ? { accepted: 1, duplicates: 0, rejected: [{ index: 1, errors: [{ path: 'data.sku', message: 'unknown, say' }] }] }
        : acceptAll(events),
    );
    expect(r.code).toBe(1);
    expect(r.sent.map((b) => b.map((e) => e.type))).toEqual([['item.upserted'], ['stock.received', 'stock.received']]);
    expect(r.stderr).toContain(`${stock}:3: qty: must be greater than 0\n${stock}:4: sku: unknown, say\n`);
    expect(r.stdout).toBe(`4 rows in 2 files: 2 accepted, 0 duplicates, 2 rejected\nreport: ${report} (2 problems)\n`);
    expect(await readFile(report, 'utf8')).toBe(`file,line,column,message\n${stock},3,qty,must be greater than 0\n${stock},4,sku,"unknown, say"\n`);
  });

  it('prints a plain progress line per file when stderr is not a terminal', async () => {
    const items = await csv('items-ok.csv', 'sku,name,unitCost,unitPrice\nSKU-1,Mug,1,2\nSKU-2,Cup,1,2\n');
    const r = await run({ files: [items] }, acceptAll);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`^${items}  2/2 rows  100%  \\d+ rows/s  0 errors\\n$`));
  });

  it('checks every file before sending anything (exit 2)', async () => {
    const good = await csv('good.csv', 'sku,name,unitCost,unitPrice\nSKU-1,Mug,1,2\n');
    const unclosed = await csv('unclosed.csv', 'sku,name,unitCost,unitPrice\nSKU-1,"Mug,1,2\n');
    const unknown = await csv('unknown.csv', 'a,b\n1,2\n');
    const latin1 = path.join(dir, 'latin1.csv');
    await writeFile(latin1, Buffer.from('sku,name,unitCost,unitPrice\nSKU-1,Caf\xe9,1,2\n', 'latin1'));
    const r = await run({ files: [good, unclosed, unknown, latin1, path.join(dir, 'missing.csv')] }, acceptAll);
    expect(r.code).toBe(2);
    expect(r.sent).toEqual([]);
    expect(r.stderr).toContain(`${unclosed}:2: a quoted field is never closed`);
    expect(r.stderr).toContain(`${unknown}:1: cannot tell the kind from the header "a,b"`);
    expect(r.stderr).toContain(`${latin1}: is not UTF-8 text`);
    expect(r.stderr).toContain(`${path.join(dir, 'missing.csv')}: cannot read the file (ENOENT)`);
    expect(r.stderr).toMatch(/nothing was sent\n$/);
  });

  it('stops at a refused key and counts what was not sent', async () => {
    const items = await csv('items-2.csv', 'sku,name,unitCost,unitPrice\nSKU-1,Mug,1,2\nSKU-2,Cup,x,2\n');
    const r = await run({ files: [items] }, async () => {
      throw new SendAborted('the tower refused the API key (401 unauthorized: no)', 2);
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('stopped: the tower refused the API key (401 unauthorized: no)');
    expect(r.stdout).toBe('2 rows in 1 file: 0 accepted, 0 duplicates, 1 rejected, 1 not sent\n');
  });
});

describe('Progress on a terminal', () => {
  it('redraws one line in place and keeps notes above it', () => {
    let out = '';
    let clock = 0;
    const p = new Progress({ isTTY: true, columns: 200, write: (s) => (out += s) }, () => clock);
    p.startFile('items.csv', 2000);
    clock = 1000;
    p.update(1000, 1);
    p.note('the tower answered 429; retrying in 1 s');
    clock = 2000;
    p.update(2000, 1);
    p.endFile();
    expect(out.split('\r\x1b[2K')).toEqual([
      '',
      'items.csv  0/2000 rows  0%  0 rows/s  0 errors',
      'items.csv  1000/2000 rows  50%  1000 rows/s  1 error',
      'the tower answered 429; retrying in 1 s\n',
      'items.csv  1000/2000 rows  50%  1000 rows/s  1 error',
      'items.csv  2000/2000 rows  100%  1000 rows/s  1 error',
      'items.csv  2000/2000 rows  100%  1000 rows/s  1 error\n',
    ]);
  });
});

describe('parseCli', () => {
  it('takes flags, falling back to TOWER_URL and TOWER_API_KEY', () => {
    expect(parseCli(['a.csv', 'b.csv'], { TOWER_URL: 'http://t:1', TOWER_API_KEY: 'ct_env' })).toEqual({
      help: false,
      options: { url: 'http://t:1', apiKey: 'ct_env', source: 'import', files: ['a.csv', 'b.csv'] },
    });
    const cli = parseCli(['--url', 'https://x', '--api-key', 'ct_flag', '--source', 'erp', '--kind', 'stock', '--occurred-at', '2026-01-01T00:00:00Z', '--report', 'r.csv', 'a.csv'], { TOWER_API_KEY: 'ct_env' });
    expect(cli).toMatchObject({ options: { url: 'https://x', apiKey: 'ct_flag', source: 'erp', kind: { name: 'stock' }, occurredAt: '2026-01-01T00:00:00Z', report: 'r.csv' } });
    expect(parseCli(['-h'], {})).toEqual({ help: true });
  });

  it.each([
    [['a.csv'], 'no API key: pass --api-key or set TOWER_API_KEY'],
    [['--api-key', 'k'], 'no CSV file given'],
    [['--api-key', 'k', '--source', 'ERP!', 'a.csv'], '--source must be 1-64 characters of a-z 0-9 . _ -'],
    [['--api-key', 'k', '--kind', 'orders', 'a.csv'], '--kind must be one of items, locations, stock'],
    [['--api-key', 'k', '--occurred-at', 'yesterday', 'a.csv'], '--occurred-at must be an ISO-8601 timestamp with an offset'],
    [['--api-key', 'k', '--url', 'localhost:3000', 'a.csv'], '--url must be an http(s) URL, not "localhost:3000"'],
    [['--api-key', 'k', '--bogus', 'a.csv'], expect.stringContaining("Unknown option '--bogus'")],
  ])('refuses %j', (argv, message) => {
    expect(() => parseCli(argv, {})).toThrow(expect.objectContaining({ name: 'UsageError', message }));
    expect(() => parseCli(argv, {})).toThrow(UsageError);
  });
});
