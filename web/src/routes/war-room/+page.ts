import { redirect } from '@sveltejs/kit';
import { loginUrl } from '$lib/safe-next';
import { session } from '$lib/session.svelte';
import type { PageLoad } from './$types';

/** A signed-in user or a wall screen (display link); anyone else signs in first. */
export const load: PageLoad = async ({ fetch, url }) => {
	let reachable = true;
	// A wall screen that boots while the tower is down must not end on an error page: it retries.
	const user = await session.refresh(fetch).catch(() => {
		reachable = false;
		return null;
	});
	if (reachable && !user && !session.display) redirect(307, loginUrl(url));
	return { user, display: session.display, reachable };
};
