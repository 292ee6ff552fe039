/** A grouped bar chart as a standalone SVG: one group per category, one bar per series. */
export interface BarChart {
  title: string;
  /** The value axis' unit, e.g. "ms". */
  unit: string;
  categories: readonly string[];
  series: readonly { name: string; color: string; values: readonly number[] }[];
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** 1, 2 or 5 times a power of ten: a step that gives about `count` ticks up to `max`. */
function niceStep(max: number, count: number): number {
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power);
}

const label = (v: number) => (v === 0 ? '0' : v >= 10 ? String(Math.round(v)) : v >= 1 ? v.toFixed(1) : v.toFixed(2));

export function barChartSvg(c: BarChart): string {
  const bar = 14;
  const gap = 3;
  const groupWidth = c.series.length * (bar + gap) + 26;
  // Category labels are rotated up to the left: the first one needs room before the axis.
  const longest = Math.max(0, ...c.categories.map((cat) => cat.length));
  const left = Math.round(Math.max(56, longest * 5.6 * Math.cos(Math.PI * 35 / 180) - groupWidth / 2 + 20));
  const top = 48;
  const plotHeight = 260;
  const bottom = 110;
  const width = Math.max(520, left + c.categories.length * groupWidth + 20);
  const height = top + plotHeight + bottom;
  const max = Math.max(1e-9, ...c.series.flatMap((s) => s.values.filter(Number.isFinite)));
  const step = niceStep(max, 5);
  const top_ = Math.ceil(max / step) * step;
  const y = (v: number) => top + plotHeight - (v / top_) * plotHeight;

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${left}" y="22" font-size="14" font-weight="600">${escape(c.title)}</text>`,
  ];
  for (let v = 0; v <= top_ + step / 2; v += step) {
    out.push(`<line x1="${left}" x2="${width - 10}" y1="${y(v)}" y2="${y(v)}" stroke="#e5e7eb"/>`);
    out.push(`<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end" fill="#555">${label(v)}</text>`);
  }
  out.push(`<text x="14" y="${top + plotHeight / 2}" transform="rotate(-90 14 ${top + plotHeight / 2})" text-anchor="middle" fill="#555">${escape(c.unit)}</text>`);
  c.categories.forEach((cat, i) => {
    const x0 = left + 13 + i * groupWidth;
    c.series.forEach((s, j) => {
      const v = s.values[i] ?? NaN;
      if (!Number.isFinite(v)) return;
      const x = x0 + j * (bar + gap);
      out.push(`<rect x="${x}" y="${y(v)}" width="${bar}" height="${Math.max(0.5, top + plotHeight - y(v))}" fill="${s.color}"><title>${escape(`${cat} · ${s.name}: ${label(v)} ${c.unit}`)}</title></rect>`);
    });
    const cx = x0 + (c.series.length * (bar + gap)) / 2;
    out.push(`<text x="${cx}" y="${top + plotHeight + 14}" text-anchor="end" transform="rotate(-35 ${cx} ${top + plotHeight + 14})">${escape(cat)}</text>`);
  });
  out.push(`<line x1="${left}" x2="${width - 10}" y1="${top + plotHeight}" y2="${top + plotHeight}" stroke="#333"/>`);
  c.series.forEach((s, j) => {
    const x = left + j * 120;
    out.push(`<rect x="${x}" y="30" width="10" height="10" fill="${s.color}"/><text x="${x + 14}" y="39">${escape(s.name)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** A line chart as a standalone SVG: one polyline per series over a shared numeric x axis. */
export interface LineChart {
  title: string;
  /** The y axis' unit, e.g. "MB". */
  unit: string;
  /** The x axis' label, e.g. "minutes". */
  xLabel: string;
  series: readonly { name: string; color: string; dashed?: boolean; points: readonly (readonly [number, number])[] }[];
}

export function lineChartSvg(c: LineChart): string {
  const left = 64;
  const top = 56;
  const plotWidth = 720;
  const plotHeight = 300;
  const bottom = 56;
  const width = left + plotWidth + 24;
  const height = top + plotHeight + bottom;
  const points = c.series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const maxX = Math.max(1e-9, ...points.map(([x]) => x));
  const maxY = Math.max(1e-9, ...points.map(([, y]) => y));
  const yStep = niceStep(maxY, 5);
  const yTop = Math.ceil(maxY / yStep) * yStep;
  const xStep = niceStep(maxX, 6);
  const px = (x: number) => left + (x / maxX) * plotWidth;
  const py = (y: number) => top + plotHeight - (y / yTop) * plotHeight;

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${left}" y="22" font-size="14" font-weight="600">${escape(c.title)}</text>`,
  ];
  for (let v = 0; v <= yTop + yStep / 2; v += yStep) {
    out.push(`<line x1="${left}" x2="${left + plotWidth}" y1="${py(v)}" y2="${py(v)}" stroke="#e5e7eb"/>`);
    out.push(`<text x="${left - 6}" y="${py(v) + 4}" text-anchor="end" fill="#555">${label(v)}</text>`);
  }
  for (let x = 0; x <= maxX + xStep / 2; x += xStep) {
    out.push(`<text x="${px(x)}" y="${top + plotHeight + 16}" text-anchor="middle" fill="#555">${String(Math.round(x * 100) / 100)}</text>`);
  }
  out.push(`<text x="${left + plotWidth / 2}" y="${top + plotHeight + 36}" text-anchor="middle" fill="#555">${escape(c.xLabel)}</text>`);
  out.push(`<text x="16" y="${top + plotHeight / 2}" transform="rotate(-90 16 ${top + plotHeight / 2})" text-anchor="middle" fill="#555">${escape(c.unit)}</text>`);
  out.push(`<line x1="${left}" x2="${left + plotWidth}" y1="${top + plotHeight}" y2="${top + plotHeight}" stroke="#333"/>`);
  c.series.forEach((s, j) => {
    const d = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)).map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ');
    if (d) out.push(`<polyline points="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}><title>${escape(s.name)}</title></polyline>`);
    const x = left + j * 170;
    out.push(`<line x1="${x}" x2="${x + 18}" y1="36" y2="36" stroke="${s.color}" stroke-width="3"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/><text x="${x + 24}" y="40">${escape(s.name)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
