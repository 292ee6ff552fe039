import { redirect } from '@sveltejs/kit';
import { loginUrl } from '$lib/safe-next';
import { session } from '$lib/session.svelte';
import type { LayoutLoad } from './$types';

export const load: LayoutLoad = async ({ fetch, url }) => {
	const user = await session.refresh(fetch);
	if (!user) redirect(307, loginUrl(url));
	return { user };
};
