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
