import type { PublicApiKey, PublicUser, Role } from '$domain/realtime-contract';
import { api } from './api';

export interface NewUser {
	email: string;
	password: string;
	role: Role;
}

export interface CreatedApiKey {
	id: string;
	name: string;
	sources: string[];
	/** The secret, returned only by the create call. */
	key: string;
}

export class AdminStore {
	users = $state.raw<PublicUser[]>([]);
	apiKeys = $state.raw<PublicApiKey[]>([]);
	loaded = $state(false);

	async load(): Promise<void> {
		const [{ users }, { apiKeys }] = await Promise.all([
			api<{ users: PublicUser[] }>('/api/v1/users'),
			api<{ apiKeys: PublicApiKey[] }>('/api/v1/api-keys')
		]);
		this.users = users;
		this.apiKeys = apiKeys;
		this.loaded = true;
	}

	async createUser(input: NewUser): Promise<PublicUser> {
		const { user } = await api<{ user: PublicUser }>('/api/v1/users', { method: 'POST', body: input });
		this.users = [...this.users, user];
		return user;
	}

	async updateUser(id: string, patch: { role?: Role; disabled?: boolean }): Promise<PublicUser> {
		const { user } = await api<{ user: PublicUser }>(`/api/v1/users/${encodeURIComponent(id)}`, {
			method: 'PATCH',
			body: patch
		});
		this.users = this.users.map((u) => (u.id === user.id ? user : u));
		return user;
	}

	async createApiKey(name: string, sources: string[]): Promise<CreatedApiKey> {
		const created = await api<CreatedApiKey>('/api/v1/api-keys', { method: 'POST', body: { name, sources } });
		await this.#reloadKeys();
		return created;
	}

	async revokeApiKey(id: string): Promise<void> {
		await api<void>(`/api/v1/api-keys/${encodeURIComponent(id)}`, { method: 'DELETE' });
		await this.#reloadKeys();
	}

	// The create/revoke responses lack prefix and timestamps, so the list is re-read.
	async #reloadKeys(): Promise<void> {
		const { apiKeys } = await api<{ apiKeys: PublicApiKey[] }>('/api/v1/api-keys');
		this.apiKeys = apiKeys;
	}
}
