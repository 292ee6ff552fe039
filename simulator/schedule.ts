/**
 * Future actions in simulated time, run in order of time, then of scheduling, so two actions due at
 * the same millisecond always run in the same order (determinism). A calendar of one bucket per
 * tick, with a small heap for the tick being run: most actions are minutes away, and a heap of all
 * of them would cost a deep sift for every one.
 */
interface Entry {
  at: number;
  seq: number;
  run: () => void;
}

const before = (a: Entry, b: Entry) => a.at < b.at || (a.at === b.at && a.seq < b.seq);

export class Schedule {
  readonly #buckets = new Map<number, Entry[]>();
  readonly #heap: Entry[] = [];
  /** Bucket key of the tick being run: entries due in it (or earlier) go straight to the heap. */
  #current = -1;
  #seq = 0;
  #size = 0;

  /** Tick k holds the times in (origin + (k − 1) × tickMs, origin + k × tickMs]. */
  constructor(
    private readonly origin: number,
    private readonly tickMs: number,
  ) {}

  get size(): number {
    return this.#size;
  }

  #key(at: number): number {
    return Math.ceil((at - this.origin) / this.tickMs);
  }

  add(at: number, run: () => void): void {
    const entry = { at, seq: this.#seq++, run };
    this.#size++;
    const key = this.#key(at);
    if (key <= this.#current) return this.#push(entry);
    const bucket = this.#buckets.get(key);
    if (bucket) bucket.push(entry);
    else this.#buckets.set(key, [entry]);
  }

  /** The earliest action due at or before `until` (a tick's end, never going back), taken off the schedule. */
  takeDue(until: number): { at: number; run: () => void } | undefined {
    const key = this.#key(until);
    while (this.#current < key) {
      const bucket = this.#buckets.get(++this.#current);
      if (!bucket) continue;
      this.#buckets.delete(this.#current);
      for (const e of bucket) this.#push(e);
    }
    const top = this.#heap[0];
    if (!top || top.at > until) return undefined;
    this.#size--;
    return this.#pop();
  }

  #push(entry: Entry): void {
    const heap = this.#heap;
    let i = heap.push(entry) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(entry, heap[parent]!)) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = entry;
  }

  #pop(): Entry {
    const heap = this.#heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= heap.length) break;
        const r = l + 1;
        const child = r < heap.length && before(heap[r]!, heap[l]!) ? r : l;
        if (!before(heap[child]!, last)) break;
        heap[i] = heap[child]!;
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }
}
