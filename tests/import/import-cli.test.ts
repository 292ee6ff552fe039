import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestTower, type TestTower } from '../support/tower';
import { waitFor } from '../support/wait';

/** `npm run import` as a child process against a whole tower: what is stored, reported and repeated. */

const root = path.resolve(import.meta.dirname, '../..');
let t: TestTower;
let dir: string;

beforeAll(async () => {
  t = await startTestTower();
  dir = await mkdtemp(path.join(tmpdir(), 'import-cli-'));
});
afterAll(async () => {
  await t?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const uniqueSource = () => `import-${randomBytes(4).toString('hex')}`;

function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { TOWER_URL: _u, TOWER_API_KEY: _k, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', 'realtime/cli/import-csv.ts', ...args], {
    cwd: root,
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

async function files(prefix: string, contents: Record<string, string>): Promise<string[]> {
  return Promise.all(
    Object.entries(contents).map(async ([name, text]) => {
      const file = path.join(dir, `${prefix}-${name}`);
      await writeFile(file, text);
      return file;
    }),
  );
}

describe('npm run import', () => {
  it('applies the good rows, reports the bad ones by file, line and column, and repeats as duplicates', async () => {
    const source = uniqueSource();
    const key = await t.createApiKey([source]);
    // Given in reverse order: master data is still sent first.
    const [stock, locations, items] = await files('mixed', {
      'stock.csv': 'locationId,sku,qty,reference\nDC-EAST,TEE-BLK-M,10,opening\nDC-EAST,TEE-BLK-M,10,opening\nSTORE-1,MUG-RED,4\nDC-EAST,MUG-RED,-1,\n',
      'locations.csv': 'locationId,name,kind,region,shipsToCustomers,priority\nDC-EAST,East DC,DC,east,yes,1\nSTORE-1,"Store\nwith a newline",store,west,0,2\nBAD-LOC,Nowhere,warehouse,east,maybe,1\n',
      'items.csv': '\ufeffsku,name,unitCost,unitPrice,safetyStock\r\nTEE-BLK-M,"Tee, black ""M""",6.5,19.99,2\r\nMUG-RED,Red mug,3,9.5,\r\nBAD SKU,Broken,1,2,0\r\nPEN-BLU,Blue pen,abc,1.999,0\r\n\r\n',
    });
    const report = path.join(dir, 'mixed-report.csv');
    const args = ['--url', t.url, '--api-key', key, '--source', source, '--report', report, stock!, locations!, items!];

    const first = await runCli(args);
    expect(first.code, first.stderr).toBe(1);
    expect(first.stdout).toBe(`11 rows in 3 files: 7 accepted, 0 duplicates, 4 rejected\nreport: ${report} (6 problems)\n`);
    const problems = [
      `${items}:4: sku: must be 1-64 characters of A-Z a-z 0-9 . _ : -`,
      `${items}:5: unitCost: must be a number, not "abc"`,
      `${items}:5: unitPrice: must have at most 2 decimals`,
      `${locations}:5: shipsToCustomers: must be true/false, yes/no or 1/0, not "maybe"`,
      `${locations}:5: kind: `,
      `${stock}:5: qty: must be greater than 0`,
    ];
    for (const p of problems) expect(first.stderr).toContain(p);
    // Progress goes to stderr too; when it is not a terminal, one line per file.
    expect(first.stderr).toContain(`${items}  4/4 rows  100%`);
    const csv = (await readFile(report, 'utf8')).trimEnd().split('\n');
    expect(csv[0]).toBe('file,line,column,message');
    expect(csv.slice(1)).toEqual([
      `${items},4,sku,must be 1-64 characters of A-Z a-z 0-9 . _ : -`,
      `${items},5,unitCost,"must be a number, not ""abc"""`,
      `${items},5,unitPrice,must have at most 2 decimals`,
      `${locations},5,shipsToCustomers,"must be true/false, yes/no or 1/0, not ""maybe"""`,
      expect.stringMatching(new RegExp(`^${locations},5,kind,`)),
      `${stock},5,qty,must be greater than 0`,
    ]);

    const itemRows = await waitFor('items applied', async () => {
      const rows = await t.db.sql`SELECT sku, name, unit_cost::float AS cost, unit_price::float AS price, safety_stock FROM items ORDER BY sku`;
      return rows.length === 2 ? rows : null;
    });
    expect(itemRows).toEqual([
      { sku: 'MUG-RED', name: 'Red mug', cost: 3, price: 9.5, safety_stock: 0 },
      { sku: 'TEE-BLK-M', name: 'Tee, black "M"', cost: 6.5, price: 19.99, safety_stock: 2 },
    ]);
    const locationRows = await waitFor('locations applied', async () => {
      const rows = await t.db.sql`SELECT location_id, name, kind, region, ships_to_customers, priority FROM locations ORDER BY location_id`;
      return rows.length === 2 ? rows : null;
    });
    expect(locationRows).toEqual([
      { location_id: 'DC-EAST', name: 'East DC', kind: 'dc', region: 'east', ships_to_customers: true, priority: 1 },
      { location_id: 'STORE-1', name: 'Store\nwith a newline', kind: 'store', region: 'west', ships_to_customers: false, priority: 2 },
    ]);
    // Two equal stock rows are two receipts.
    const receipts = await t.db.sql`
      SELECT event_id, data FROM events WHERE source = ${source} AND type = 'stock.received' ORDER BY seq`;
    expect(receipts.map((r) => r.data)).toEqual([
      { locationId: 'DC-EAST', sku: 'TEE-BLK-M', qty: 10, reference: 'opening' },
      { locationId: 'DC-EAST', sku: 'TEE-BLK-M', qty: 10, reference: 'opening' },
      { locationId: 'STORE-1', sku: 'MUG-RED', qty: 4 },
    ]);
    expect(receipts.map((r) => r.event_id.split(':').slice(0, 3).join(':'))).toEqual(['import:stock:2', 'import:stock:3', 'import:stock:4']);
    const { n } = (await t.db.sql`SELECT count(*)::int AS n FROM events WHERE source = ${source}`)[0]!;
    expect(n).toBe(7);

    const again = await runCli(args);
    expect(again.code, again.stderr).toBe(1);
    expect(again.stdout).toBe(`11 rows in 3 files: 0 accepted, 7 duplicates, 4 rejected\nreport: ${report} (6 problems)\n`);
    const { m } = (await t.db.sql`SELECT count(*)::int AS m FROM events WHERE source = ${source}`)[0]!;
    expect(m).toBe(7);
  });

  it('exits 0 for a clean import and again, with only duplicates, when repeated (key and URL from the environment)', async () => {
    const source = uniqueSource();
    const env = { TOWER_URL: t.url, TOWER_API_KEY: await t.createApiKey([source]) };
    const [items, stock] = await files('clean', {
      'items.csv': 'sku,name,unitCost,unitPrice\nCLEAN-1,Clean one,1,2\nCLEAN-2,Clean two,1,2\n',
      'stock.csv': 'locationId,sku,qty\nDC-CLEAN,CLEAN-1,3\nDC-CLEAN,CLEAN-2,5\n',
    });
    const first = await runCli(['--source', source, items!, stock!], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe('4 rows in 2 files: 4 accepted, 0 duplicates, 0 rejected\n');
    const second = await runCli(['--source', source, items!, stock!], env);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toBe('4 rows in 2 files: 0 accepted, 4 duplicates, 0 rejected\n');
  });

  it('stops with exit 2 when the key may not send for the source, or is unknown', async () => {
    const [items] = await files('auth', { 'items.csv': 'sku,name,unitCost,unitPrice\nAUTH-1,Auth,1,2\n' });
    const key = await t.createApiKey([uniqueSource()]);
    const source = uniqueSource();
    const foreign = await runCli(['--url', t.url, '--api-key', key, '--source', source, items!]);
    expect(foreign.code).toBe(2);
    expect(foreign.stderr).toContain('stopped: the tower refused this import (403 source_not_allowed: this API key may send only for');
    expect(foreign.stdout).toBe('1 row in 1 file: 0 accepted, 0 duplicates, 0 rejected, 1 not sent\n');

    const unknown = await runCli(['--url', t.url, '--api-key', 'ct_nope_nope', '--source', source, items!]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('stopped: the tower refused the API key (401');
    const { n } = (await t.db.sql`SELECT count(*)::int AS n FROM events WHERE source = ${source}`)[0]!;
    expect(n).toBe(0);
  });

  it('exits 2 on usage errors', async () => {
    const noKey = await runCli(['--url', t.url, 'items.csv']);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/^no API key: pass --api-key or set TOWER_API_KEY\n\nusage: npm run import/);
    const missing = await runCli(['--url', t.url, '--api-key', 'k', path.join(dir, 'nope.csv')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`${path.join(dir, 'nope.csv')}: cannot read the file (ENOENT)\nnothing was sent\n`);
  });
});
