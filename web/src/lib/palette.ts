/**
 * Okabe–Ito colour-blind-safe palette, reordered for a dark background: black is left out
 * and every colour keeps at least 3:1 contrast against the panel colour.
 */
export const okabeIto = {
	skyBlue: '#56B4E9',
	orange: '#E69F00',
	bluishGreen: '#009E73',
	yellow: '#F0E442',
	reddishPurple: '#CC79A7',
	vermillion: '#D55E00',
	blue: '#0072B2'
} as const;

export const seriesPalette: readonly string[] = [
	okabeIto.skyBlue,
	okabeIto.orange,
	okabeIto.bluishGreen,
	okabeIto.yellow,
	okabeIto.reddishPurple,
	okabeIto.vermillion,
	okabeIto.blue
];

/** Mirrors the CSS custom properties in app.css for canvas-drawn chart chrome. */
export const chartChrome = {
	panel: '#151c26',
	text: '#e6edf3',
	muted: '#a9b6c4',
	grid: '#2a3544',
	axis: '#4a586b'
} as const;

/**
 * Viridis, a perceptually uniform sequential ramp that stays readable with every common colour-vision
 * deficiency and in greyscale (lightness rises monotonically), for magnitudes such as stock levels.
 */
export const viridis: readonly string[] = ['#440154', '#482878', '#3e4a89', '#31688e', '#26828e', '#1f9e89', '#35b779', '#6dcd59', '#fde725'];
