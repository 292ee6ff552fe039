import { describe, expect, it } from 'vitest';
import { bulkAllowed, bulkCodes, bulkDoneText, describePreview, skippedText, undoneText } from './bulk';

describe('describePreview', () => {
	it('says how many change and why the others are skipped', () => {
		expect(describePreview({ matched: 15, willChange: 12, skipped: { needs_supervisor: 3 } })).toBe('12 will change, 3 skipped: needs supervisor');
		expect(describePreview({ matched: 12, willChange: 12, skipped: {} })).toBe('12 will change');
	});

	it('lists several reasons, most frequent first', () => {
		expect(skippedText({ already_resolved: 1, needs_supervisor: 3, claimed: 0 })).toBe('4 skipped: 3 needs supervisor, 1 already resolved');
	});
});

describe('bulkDoneText / undoneText', () => {
	it('reads like the toast', () => {
		expect(bulkDoneText('resolve', 12)).toBe('Resolved 12');
		expect(bulkDoneText('ack', 1)).toBe('Acknowledged 1');
		expect(undoneText({ restored: 12, skipped: 0 })).toBe('Undone: 12 restored');
		expect(undoneText({ restored: 10, skipped: { changed_since: 2 } })).toBe('Undone: 10 restored, 2 skipped: changed since');
	});
});

describe('bulkAllowed / bulkCodes', () => {
	it('follows the roles', () => {
		expect(bulkAllowed('viewer', 'ack')).toBe(false);
		expect(bulkAllowed('operator', 'resolve')).toBe(true);
		expect(bulkAllowed('operator', 'escalate')).toBe(false);
		expect(bulkAllowed('supervisor', 'escalate')).toBe(true);
	});

	it('never offers a decision: those are made one by one', () => {
		expect(bulkCodes(['fixed', 'duplicate'])).toEqual(['fixed', 'duplicate']);
		expect(bulkCodes(['fixed', 'approve', 'reject'])).toEqual(['fixed']);
	});
});
