/** A GitHub-flavoured Markdown table; numeric-looking columns are right-aligned. */
export function markdownTable(headers: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => /^[\d.,×x%-]+$/.test(String(r[i] ?? ''))));
  const line = (cells: readonly (string | number)[]) => `| ${cells.map((c) => String(c)).join(' | ')} |`;
  return [line(headers), line(numeric.map((n) => (n ? '---:' : '---'))), ...rows.map(line)].join('\n');
}

/** 1234.5 → "1,235"; small values keep two decimals. */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return '–';
  return x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(2);
}
