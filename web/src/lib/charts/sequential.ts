/** Colour arithmetic for sequential ramps: sampling, and the text colour that reads on a swatch. */

type Rgb = [number, number, number];

function parseHex(hex: string): Rgb {
	const m = /^#([0-9a-f]{6})$/i.exec(hex);
	if (!m) throw new Error(`not a #rrggbb colour: ${hex}`);
	const n = Number.parseInt(m[1]!, 16);
	return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

const toHex = (rgb: Rgb) => `#${rgb.map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;

/** The ramp's colour at `t` (0–1, clamped), linearly between its stops. */
export function sampleRamp(ramp: readonly string[], t: number): string {
	if (ramp.length === 0) throw new Error('empty ramp');
	const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (ramp.length - 1);
	const i = Math.min(ramp.length - 2, Math.floor(x));
	if (i < 0) return ramp[0]!;
	const f = x - i;
	const a = parseHex(ramp[i]!);
	const b = parseHex(ramp[i + 1]!);
	return toHex([a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f]);
}

/** WCAG 2 relative luminance. */
export function luminance(hex: string): number {
	const [r, g, b] = parseHex(hex).map((c) => {
		const s = c / 255;
		return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
	}) as Rgb;
	return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrastRatio(a: string, b: string): number {
	const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
	return (hi + 0.05) / (lo + 0.05);
}

/** Of a dark and a light text colour, the one with more contrast on `background`. */
export function readableOn(background: string, dark = '#0b1016', light = '#ffffff'): string {
	return contrastRatio(background, dark) >= contrastRatio(background, light) ? dark : light;
}
