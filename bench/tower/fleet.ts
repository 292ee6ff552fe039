import { readFile } from 'node:fs/promises';
import { freePort, spawnTower, stopTowers, type TowerProcess } from '../../tests/support/processes';
import { signIn } from '../support/http';

/** The tower as deployed for the benchmark: one API process and `workers` worker processes, each its own PID. */
export interface Fleet {
  origin: string;
  processes: { name: string; process: TowerProcess }[];
  adminCookie: string;
  apiKey(sources: readonly string[]): Promise<string>;
  stop(): Promise<void>;
}

const ADMIN = { email: 'bench@bench.local', password: 'bench-admin-password' };

async function waitForOutput(p: TowerProcess, text: string, what: string): Promise<void> {
  const started = Date.now();
  while (!p.output().includes(text)) {
    if (p.child.exitCode !== null || Date.now() - started > 120_000) throw new Error(`${what} did not start:\n${p.output().slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startFleet(input: { databaseUrl: string; redisUrl: string; prefix: string; workers: number; concurrency: number }): Promise<Fleet> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const common = {
    DATABASE_URL: input.databaseUrl, REDIS_URL: input.redisUrl, REDIS_PREFIX: input.prefix, LOG_LEVEL: 'warn',
    ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, WORKER_CONCURRENCY: String(input.concurrency),
    // The benchmark is the only client: the per-key request limit would only measure itself.
    INGEST_RATE_LIMIT: '100000',
  };
  const processes: Fleet['processes'] = [];
  try {
    const api = spawnTower({ ...common, ROLE: 'api', PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' });
    processes.push({ name: 'api', process: api });
    await waitForOutput(api, 'control tower listening', 'the API process');
    for (let i = 1; i <= input.workers; i++) {
      const worker = spawnTower({ ...common, ROLE: 'worker', LOG_LEVEL: 'info' });
      processes.push({ name: `worker ${i}`, process: worker });
      await waitForOutput(worker, 'control tower worker running', `worker ${i}`);
    }
  } catch (err) {
    await stopTowers(processes.map((p) => p.process));
    throw err;
  }
  const adminCookie = await signIn(origin, ADMIN.email, ADMIN.password);
  return {
    origin,
    processes,
    adminCookie,
    async apiKey(sources) {
      const res = await fetch(`${origin}/api/v1/api-keys`, {
        method: 'POST', headers: { cookie: adminCookie, origin, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'bench', sources }),
      });
      if (res.status !== 201) throw new Error(`creating the API key failed: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { key: string }).key;
    },
    stop: () => stopTowers(processes.map((p) => p.process)),
  };
}

/** Resident set size of a process in MB (Linux /proc), or null once it is gone. */
export async function rssMb(pid: number | undefined): Promise<number | null> {
  if (!pid) return null;
  try {
    const kb = /VmRSS:\s+(\d+)\s+kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : null;
  } catch {
    return null;
  }
}

/** Samples the RSS of named processes every `everyMs` and keeps each one's peak and last value. */
export class MemorySampler {
  readonly peakMb = new Map<string, number>();
  readonly lastMb = new Map<string, number>();
  #timer: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly pids: () => { name: string; pid: number | undefined }[], private readonly everyMs = 250) {}

  start(): void {
    this.#timer = setInterval(() => void this.sample(), this.everyMs);
  }

  async sample(): Promise<void> {
    for (const { name, pid } of this.pids()) {
      const mb = await rssMb(pid);
      if (mb === null) continue;
      this.lastMb.set(name, mb);
      this.peakMb.set(name, Math.max(mb, this.peakMb.get(name) ?? 0));
    }
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}
