/** Only same-origin paths are allowed as a post-login target, to avoid an open redirect. */
export function safeNext(next: string | null | undefined, fallback = '/'): string {
	if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return fallback;
	if (next === '/login' || next.startsWith('/login?') || next.startsWith('/login/')) return fallback;
	return next;
}

export function loginUrl(from: URL | string): string {
	const target = typeof from === 'string' ? from : `${from.pathname}${from.search}`;
	return target === '/' || target.startsWith('/login') ? '/login' : `/login?next=${encodeURIComponent(target)}`;
}
