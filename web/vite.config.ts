import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

const apiTarget = process.env.TOWER_API_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
	plugins: [sveltekit()],
	server: {
		proxy: {
			'/api': { target: apiTarget, changeOrigin: false },
			'/healthz': { target: apiTarget, changeOrigin: false },
			'/socket.io': { target: apiTarget, ws: true, changeOrigin: false }
		}
	}
});
