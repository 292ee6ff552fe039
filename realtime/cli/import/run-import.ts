import { writeFile } from 'node:fs/promises';
import type { TowerEvent } from '../../../domain/events/validate';
import type { CsvRecord } from './csv';
import type { ImportKind } from './kinds';
import { importOrder, loadFile, type LoadedFile } from './load-files';
import { Progress, type ProgressStream } from './progress';
import { formatEntry, reportCsv, type ReportEntry } from './report';
import { rowToEvent, toProblems, type EventContext } from './row-to-event';
import { createSender, MAX_BATCH, SendAborted, type Send } from './send';

export interface ImportOptions {
  url: string;
  apiKey: string;
  source: string;
  kind?: ImportKind;
  occurredAt?: string;
  report?: string;
  files: string[];
}

export interface ImportIo {
  stdout: { write(text: string): unknown };
  stderr: ProgressStream;
  now(): Date;
  send?: Send;
}

interface Totals {
  rows: number;
  accepted: number;
  duplicates: number;
  failed: number;
}

// The contract's default; the tower checks again with its own setting.
const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;
const ERRORS_SHOWN = 100;

/** Runs one import and returns the exit code: 0 all rows stored (or duplicates), 1 some row failed, 2 usage. */
export async function runImport(opts: ImportOptions, io: ImportIo): Promise<number> {
  const loaded = await Promise.all(opts.files.map((f) => loadFile(f, opts.kind)));
  const problems = loaded.flatMap((l) => ('problem' in l ? [l.problem] : []));
  if (problems.length > 0) {
    io.stderr.write(`${problems.join('\n')}\nnothing was sent\n`);
    return 2;
  }
  const files = importOrder(loaded as LoadedFile[]);
  const now = io.now();
  const ctx: EventContext = { source: opts.source, occurredAt: opts.occurredAt ?? now.toISOString(), now, maxFutureSkewMs: MAX_FUTURE_SKEW_MS };
  const progress = new Progress(io.stderr);
  const send = io.send ?? createSender({ url: opts.url, apiKey: opts.apiKey, onWait: (m) => progress.note(m) });
  const entries: ReportEntry[] = [];
  const totals: Totals = { rows: files.reduce((n, f) => n + f.records.length, 0), accepted: 0, duplicates: 0, failed: 0 };

  let aborted: SendAborted | undefined;
  for (const file of files) {
    if (aborted) break;
    progress.startFile(file.path, file.records.length);
    let errors = 0;
    try {
      for (let start = 0; start < file.records.length; start += MAX_BATCH) {
        const chunk = file.records.slice(start, start + MAX_BATCH);
        const batch: { record: CsvRecord; event: TowerEvent }[] = [];
        for (const record of chunk) {
          const r = rowToEvent(file.layout, record, ctx);
          if (r.ok) batch.push({ record, event: r.event });
          else {
            errors++;
            entries.push(...r.problems.map((p) => ({ file: file.path, line: record.line, ...p })));
          }
        }
        if (batch.length > 0) {
          const result = await send(batch.map((b) => b.event));
          totals.accepted += result.accepted;
          totals.duplicates += result.duplicates;
          for (const rejection of result.rejected) {
            const row = batch[rejection.index];
            if (!row) continue;
            errors++;
            entries.push(...toProblems(file.layout, rejection.errors).map((p) => ({ file: file.path, line: row.record.line, ...p })));
          }
        }
        progress.update(start + chunk.length, errors);
      }
    } catch (err) {
      if (!(err instanceof SendAborted)) throw err;
      aborted = err;
    } finally {
      totals.failed += errors;
      progress.endFile();
    }
  }

  const lines = entries.slice(0, ERRORS_SHOWN).map(formatEntry);
  if (entries.length > ERRORS_SHOWN) lines.push(`… ${entries.length - ERRORS_SHOWN} more${opts.report ? ` in ${opts.report}` : ' (pass --report errors.csv for all)'}`);
  if (aborted) lines.push(`stopped: ${aborted.message}`);
  if (lines.length > 0) io.stderr.write(`${lines.join('\n')}\n`);

  let reportFailed = false;
  if (opts.report) {
    try {
      await writeFile(opts.report, reportCsv(entries));
    } catch (err) {
      io.stderr.write(`cannot write the report ${opts.report}: ${(err as Error).message}\n`);
      reportFailed = true;
    }
  }
  io.stdout.write(summary(totals, files.length, opts.report && !reportFailed ? opts.report : undefined, entries.length));

  if (aborted) return aborted.exitCode;
  return totals.failed > 0 || reportFailed ? 1 : 0;
}

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

function summary(t: Totals, files: number, report: string | undefined, problems: number): string {
  const notSent = t.rows - t.accepted - t.duplicates - t.failed;
  const parts = [`${t.accepted} accepted`, `${t.duplicates} duplicates`, `${t.failed} rejected`, ...(notSent > 0 ? [`${notSent} not sent`] : [])];
  const lines = [`${plural(t.rows, 'row')} in ${plural(files, 'file')}: ${parts.join(', ')}`];
  if (report) lines.push(`report: ${report} (${plural(problems, 'problem')})`);
  return `${lines.join('\n')}\n`;
}
