import { defineConfig } from 'vitest/config';

// Unit tests cover pure helpers only, so they run without the SvelteKit plugin or a browser.
export default defineConfig({
	test: {
		include: ['src/**/*.test.ts'],
		environment: 'node'
	}
});
