import { csvCell } from './csv';

export interface ReportEntry {
  file: string;
  line: number;
  column: string;
  message: string;
}

export const formatEntry = (e: ReportEntry) => `${e.file}:${e.line}: ${e.column}: ${e.message}`;

export function reportCsv(entries: ReportEntry[]): string {
  const rows = entries.map((e) => [e.file, String(e.line), e.column, e.message].map(csvCell).join(','));
  return ['file,line,column,message', ...rows].join('\n') + '\n';
}
