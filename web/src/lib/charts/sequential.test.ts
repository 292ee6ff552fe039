import { describe, expect, it } from 'vitest';
import { viridis } from '../palette';
import { contrastRatio, readableOn, sampleRamp } from './sequential';

describe('sampleRamp', () => {
	it('returns the stops at their positions and blends between them', () => {
		expect(sampleRamp(['#000000', '#ffffff'], 0)).toBe('#000000');
		expect(sampleRamp(['#000000', '#ffffff'], 1)).toBe('#ffffff');
		expect(sampleRamp(['#000000', '#ffffff'], 0.5)).toBe('#808080');
		expect(sampleRamp(viridis, 0.5)).toBe(viridis[4]);
	});

	it('clamps what is outside 0–1, and NaN to the start', () => {
		expect(sampleRamp(viridis, -2)).toBe(viridis[0]);
		expect(sampleRamp(viridis, 7)).toBe(viridis.at(-1));
		expect(sampleRamp(viridis, Number.NaN)).toBe(viridis[0]);
		expect(sampleRamp(['#123456'], 0.7)).toBe('#123456');
	});
});

describe('readable text on a swatch', () => {
	it('picks the text colour with WCAG AA contrast (4.5:1) at every point of viridis', () => {
		for (let i = 0; i <= 20; i++) {
			const swatch = sampleRamp(viridis, i / 20);
			expect(contrastRatio(swatch, readableOn(swatch)), swatch).toBeGreaterThanOrEqual(4.5);
		}
	});

	it('is light on the dark end and dark on the bright end', () => {
		expect(readableOn(viridis[0]!)).toBe('#ffffff');
		expect(readableOn(viridis.at(-1)!)).toBe('#0b1016');
	});
});
