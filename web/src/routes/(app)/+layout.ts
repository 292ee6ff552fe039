import { redirect } from '@sveltejs/kit';
import { loginUrl } from '$lib/safe-next';
import { session } from '$lib/session.svelte';
import type { LayoutLoad } from './$types';

export const load: LayoutLoad = async ({ fetch, url }) => {
	const user = await session.refresh(fetch);
	// A wall screen (display link) has no user and may see the war room only.
	if (!user && session.display) redirect(307, '/war-room');
	if (!user) redirect(307, loginUrl(url));
	return { user };
};
