export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

const REDRAW_MS = 100;
const PLAIN_EVERY_MS = 5000;

/** One updating line on a terminal; a line every few seconds (and at the end of each file) otherwise. */
export class Progress {
  private file = '';
  private total = 0;
  private done = 0;
  private errors = 0;
  private startedAt = 0;
  private shownAt = 0;
  private open = false;

  constructor(
    private readonly out: ProgressStream,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  startFile(file: string, total: number): void {
    this.file = file;
    this.total = total;
    this.done = 0;
    this.errors = 0;
    this.startedAt = this.shownAt = this.clock();
    if (this.out.isTTY) this.show(true);
  }

  update(done: number, errors: number): void {
    this.done = done;
    this.errors = errors;
    this.show(false);
  }

  /** A message (a retry, say) that must not be overwritten by the next redraw. */
  note(message: string): void {
    if (this.out.isTTY && this.open) this.out.write('\r\x1b[2K');
    this.out.write(`${message}\n`);
    this.open = false;
    if (this.out.isTTY) this.show(true);
  }

  endFile(): void {
    this.show(true);
    if (this.out.isTTY && this.open) this.out.write('\n');
    this.open = false;
  }

  line(): string {
    const seconds = Math.max((this.clock() - this.startedAt) / 1000, 1e-3);
    const pct = this.total === 0 ? 100 : Math.floor((this.done / this.total) * 100);
    const rate = Math.round(this.done / seconds);
    const errors = `${this.errors} error${this.errors === 1 ? '' : 's'}`;
    return `${this.file}  ${this.done}/${this.total} rows  ${pct}%  ${rate} rows/s  ${errors}`;
  }

  private show(force: boolean): void {
    const now = this.clock();
    if (!force && now - this.shownAt < (this.out.isTTY ? REDRAW_MS : PLAIN_EVERY_MS)) return;
    this.shownAt = now;
    if (this.out.isTTY) {
      // A line wider than the terminal wraps, and `\r` would then redraw only its last part.
      this.out.write(`\r\x1b[2K${this.line().slice(0, (this.out.columns || 80) - 1)}`);
      this.open = true;
    } else {
      this.out.write(`${this.line()}\n`);
    }
  }
}
