import { createContext } from 'svelte';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '$domain/realtime-contract';
import { connectionStatus } from './connection-status';

type Events = ServerToClientEvents;
type Handler = (...args: never[]) => void;

export interface TowerSocketOptions {
	/** Called once when the server says the session is over; the caller navigates to /login. */
	onSessionEnded: (reason: string) => void;
	/** A server-initiated disconnect stops Socket.IO's own retries; we retry after this delay. */
	serverDisconnectRetryMs?: number;
}

/**
 * The one Socket.IO connection of the signed-in app. Views subscribe to the events they show with
 * `on`; handlers outlive reconnects, and `onConnect` tells a view when to re-read what it may have
 * missed while disconnected.
 */
export class TowerSocket {
	#connected = $state(false);
	#retrying = $state(true);
	#browserOnline = $state(true);
	#failedAttempts = $state(0);

	connection = $derived(
		connectionStatus({
			connected: this.#connected,
			retrying: this.#retrying,
			browserOnline: this.#browserOnline,
			failedAttempts: this.#failedAttempts
		})
	);

	#options: Required<TowerSocketOptions>;
	#socket: Socket<ServerToClientEvents, ClientToServerEvents> | null = null;
	#handlers = new Map<keyof Events, Set<Handler>>();
	#connectHandlers = new Set<() => void>();
	#timers: ReturnType<typeof setTimeout>[] = [];
	#ended = false;

	constructor(options: TowerSocketOptions) {
		this.#options = { serverDisconnectRetryMs: 2_000, ...options };
	}

	get connected(): boolean {
		return this.#connected;
	}

	/** Subscribes to a server event; returns the unsubscribe function. */
	on<E extends keyof Events>(event: E, handler: Events[E]): () => void {
		let set = this.#handlers.get(event);
		if (!set) this.#handlers.set(event, (set = new Set()));
		set.add(handler as Handler);
		return () => set.delete(handler as Handler);
	}

	/** Called on every (re)connect, after the server accepted the session. */
	onConnect(handler: () => void): () => void {
		this.#connectHandlers.add(handler);
		return () => this.#connectHandlers.delete(handler);
	}

	start(): void {
		if (this.#socket) return;
		this.#ended = false;
		this.#browserOnline = navigator.onLine;
		window.addEventListener('online', this.#onOnline);
		window.addEventListener('offline', this.#onOffline);

		const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io({ path: '/socket.io', withCredentials: true });
		this.#socket = socket;

		socket.on('connect', () => {
			this.#connected = true;
			this.#retrying = true;
			this.#failedAttempts = 0;
			for (const handler of this.#connectHandlers) handler();
		});
		socket.on('disconnect', (reason) => {
			this.#connected = false;
			this.#retrying = socket.active;
			if (reason === 'io server disconnect' && !this.#ended) {
				this.#timers.push(setTimeout(() => this.#socket?.connect(), this.#options.serverDisconnectRetryMs));
				this.#retrying = true;
			}
		});
		socket.on('connect_error', (error) => {
			this.#connected = false;
			if (error.message === 'unauthorized') {
				this.endSession('unauthorized');
				return;
			}
			this.#failedAttempts += 1;
			this.#retrying = socket.active;
		});
		socket.on('session.ended', ({ reason }) => this.endSession(reason));
		// One dispatcher for every contract event, so subscriptions need no socket of their own.
		socket.onAny((event: keyof Events, ...args: unknown[]) => {
			for (const handler of this.#handlers.get(event) ?? []) (handler as (...a: unknown[]) => void)(...args);
		});
	}

	stop(): void {
		for (const timer of this.#timers) clearTimeout(timer);
		this.#timers = [];
		window.removeEventListener('online', this.#onOnline);
		window.removeEventListener('offline', this.#onOffline);
		this.#socket?.removeAllListeners();
		this.#socket?.offAny();
		this.#socket?.disconnect();
		this.#socket = null;
		this.#connected = false;
		this.#retrying = false;
	}

	/** The session is over (socket event, or a 401 seen by a view): stop and tell the app once. */
	endSession(reason: string): void {
		if (this.#ended) return;
		this.#ended = true;
		this.stop();
		this.#options.onSessionEnded(reason);
	}

	#onOnline = () => {
		this.#browserOnline = true;
		// Socket.IO may be sitting in a long back-off; an online event is a good moment to try now.
		if (this.#socket && !this.#socket.connected) this.#socket.connect();
	};

	#onOffline = () => {
		this.#browserOnline = false;
	};
}

export const [getTowerSocket, setTowerSocket] = createContext<TowerSocket>();
