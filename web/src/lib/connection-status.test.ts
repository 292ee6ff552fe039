import { describe, expect, it } from 'vitest';
import { connectionLabels, connectionStatus, OFFLINE_AFTER_FAILED_ATTEMPTS } from './connection-status';

const base = { connected: false, retrying: true, browserOnline: true, failedAttempts: 0 };

describe('connectionStatus', () => {
	it('is connected whenever the socket is connected', () => {
		expect(connectionStatus({ ...base, connected: true, failedAttempts: 99 })).toBe('connected');
	});
	it('is reconnecting while retries are young', () => {
		expect(connectionStatus(base)).toBe('reconnecting');
		expect(connectionStatus({ ...base, failedAttempts: OFFLINE_AFTER_FAILED_ATTEMPTS - 1 })).toBe('reconnecting');
	});
	it('is offline after repeated failures, when the browser is offline, or when retries stopped', () => {
		expect(connectionStatus({ ...base, failedAttempts: OFFLINE_AFTER_FAILED_ATTEMPTS })).toBe('offline');
		expect(connectionStatus({ ...base, browserOnline: false })).toBe('offline');
		expect(connectionStatus({ ...base, retrying: false })).toBe('offline');
	});
	it('has the exact labels the wall screen shows', () => {
		expect(Object.values(connectionLabels)).toEqual(['Connected', 'Reconnecting…', 'Offline']);
	});
});
