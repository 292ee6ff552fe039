import type { DisplayIdentity } from '$domain/display-links';
import type { PublicUser } from '$domain/realtime-contract';
import { api, ApiError } from './api';

export class Session {
	user = $state<PublicUser | null>(null);
	/** A wall screen signed in by a display link: no user, read-only, shown the war room only. */
	display = $state<DisplayIdentity | null>(null);
	isAdmin = $derived(this.user?.role === 'admin');

	/**
	 * Asks the server who is signed in; null means no user: signed out (401), or a display link
	 * (then `display` is set). Other failures throw.
	 */
	async refresh(fetchFn: typeof fetch = fetch): Promise<PublicUser | null> {
		try {
			const me = await api<{ user: PublicUser | null; display?: DisplayIdentity }>('/api/v1/auth/me', { fetch: fetchFn });
			this.user = me.user;
			this.display = me.user ? null : (me.display ?? null);
		} catch (error) {
			if (!(error instanceof ApiError) || error.status !== 401) throw error;
			this.user = null;
			this.display = null;
		}
		return this.user;
	}

	async login(email: string, password: string): Promise<PublicUser> {
		const { user } = await api<{ user: PublicUser }>('/api/v1/auth/login', {
			method: 'POST',
			body: { email, password }
		});
		this.user = user;
		this.display = null;
		return user;
	}

	async logout(): Promise<void> {
		try {
			await api<void>('/api/v1/auth/logout', { method: 'POST' });
		} finally {
			this.user = null;
		}
	}

	/** The server ended the session (socket event or a 401 mid-use). */
	forget(): void {
		this.user = null;
		this.display = null;
	}
}

// The app renders only in the browser (ssr = false), so a module singleton is per tab, not shared between users.
export const session = new Session();
