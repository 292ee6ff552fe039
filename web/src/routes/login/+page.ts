import { redirect } from '@sveltejs/kit';
import { safeNext } from '$lib/safe-next';
import { session } from '$lib/session.svelte';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url }) => {
	const next = safeNext(url.searchParams.get('next'));
	// A failure to reach the server should still show the form, where signing in reports it.
	const user = await session.refresh(fetch).catch(() => null);
	if (user) redirect(307, next);
	return { next };
};
