/**
 * A batch's working copy of rows of one table (transfers, returns, listings), keyed by id: read once,
 * changed in memory, written back at the end of the batch. Changes go through `edit` or `create`, which
 * journal the row, so a failed event is undone in memory.
 */
export class EntityMap<T extends object> {
  private readonly rows = new Map<string, T>();
  private readonly absent = new Set<string>();
  private readonly storedKeys = new Set<string>();
  private readonly dirty = new Set<string>();
  private journal: { key: string; before: T | null }[] = [];
  private journaled = new Set<string>();

  /** `read` returns the stored rows among `keys` (locking them if it should), each with its key. */
  constructor(private readonly read: (keys: string[]) => Promise<[string, T][]>) {}

  async load(keys: Iterable<string>): Promise<void> {
    const wanted = [...new Set(keys)].filter((k) => !this.rows.has(k) && !this.absent.has(k));
    if (wanted.length === 0) return;
    const found = await this.read(wanted);
    for (const [k, row] of found) {
      this.rows.set(k, row);
      this.storedKeys.add(k);
    }
    for (const k of wanted) if (!this.rows.has(k)) this.absent.add(k);
  }

  async get(key: string): Promise<Readonly<T> | undefined> {
    await this.load([key]);
    return this.rows.get(key);
  }

  async edit(key: string): Promise<T> {
    await this.load([key]);
    const row = this.rows.get(key);
    if (!row) throw new Error(`${key} is not in the batch`);
    this.remember(key, row);
    this.dirty.add(key);
    return row;
  }

  create(key: string, row: T): void {
    this.remember(key, null);
    this.absent.delete(key);
    this.rows.set(key, row);
    this.dirty.add(key);
  }

  private remember(key: string, current: T | null): void {
    if (this.journaled.has(key)) return;
    this.journaled.add(key);
    this.journal.push({ key, before: current ? structuredClone(current) : null });
  }

  begin(): void {
    this.journal = [];
    this.journaled = new Set();
  }

  rollback(): void {
    for (const { key, before } of this.journal.reverse()) {
      if (before) this.rows.set(key, before);
      else {
        this.rows.delete(key);
        this.dirty.delete(key);
        this.absent.add(key);
      }
    }
    this.begin();
  }

  /** What changed since the last take: rows new to PostgreSQL, and stored rows that changed. */
  takeChanges(): { created: T[]; changed: T[] } {
    const created: T[] = [];
    const changed: T[] = [];
    for (const k of this.dirty) {
      const row = this.rows.get(k);
      if (!row) continue;
      if (this.storedKeys.has(k)) changed.push(row);
      else {
        created.push(row);
        this.storedKeys.add(k);
      }
    }
    this.dirty.clear();
    this.begin();
    return { created, changed };
  }
}
