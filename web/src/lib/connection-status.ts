export type ConnectionStatus = 'connected' | 'reconnecting' | 'offline';

/** After this many failed attempts in a row the indicator says Offline while retries go on. */
export const OFFLINE_AFTER_FAILED_ATTEMPTS = 5;

export interface ConnectionFacts {
	connected: boolean;
	/** Socket.IO will keep trying on its own (`socket.active`). */
	retrying: boolean;
	browserOnline: boolean;
	failedAttempts: number;
}

export function connectionStatus(facts: ConnectionFacts): ConnectionStatus {
	if (facts.connected) return 'connected';
	if (!facts.browserOnline || !facts.retrying) return 'offline';
	return facts.failedAttempts >= OFFLINE_AFTER_FAILED_ATTEMPTS ? 'offline' : 'reconnecting';
}

export const connectionLabels: Record<ConnectionStatus, string> = {
	connected: 'Connected',
	reconnecting: 'Reconnecting…',
	offline: 'Offline'
};
