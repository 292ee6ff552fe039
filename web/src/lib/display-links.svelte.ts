import type { CreatedDisplayLink, PublicDisplayLink } from '$domain/display-links';
import { api } from './api';

/** The admin page's display links: list, create (the URL is shown once), revoke. */
export class DisplayLinksStore {
	links = $state.raw<PublicDisplayLink[]>([]);
	loaded = $state(false);

	async load(): Promise<void> {
		const { displayLinks } = await api<{ displayLinks: PublicDisplayLink[] }>('/api/v1/display-links');
		this.links = displayLinks;
		this.loaded = true;
	}

	async create(name: string): Promise<CreatedDisplayLink> {
		const created = await api<CreatedDisplayLink>('/api/v1/display-links', { method: 'POST', body: { name } });
		await this.load();
		return created;
	}

	async revoke(id: string): Promise<void> {
		await api<void>(`/api/v1/display-links/${encodeURIComponent(id)}`, { method: 'DELETE' });
		await this.load();
	}
}
