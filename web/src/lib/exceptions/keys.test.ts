import { describe, expect, it } from 'vitest';
import { isTypingTarget, triageKey, type KeyInput } from './keys';

const body = { tagName: 'BODY' };
const press = (key: string, over: Partial<KeyInput> = {}) => triageKey({ key, target: body, ...over });

describe('triageKey', () => {
	it('maps the triage letters', () => {
		expect(['j', 'k', 'a', 'r', 'e', 'x', 'o'].map((k) => press(k))).toEqual(['down', 'up', 'ack', 'resolve', 'escalate', 'toggle', 'open']);
		expect(press('?')).toBe('help');
		expect(press('Escape')).toBe('close');
		expect(press('Enter', { target: { tagName: 'TR' } })).toBe('open');
	});

	it('ignores other keys and modified letters', () => {
		expect(press('z')).toBeNull();
		expect(press('J')).toBeNull();
		expect(press('a', { ctrlKey: true })).toBeNull();
		expect(press('r', { metaKey: true })).toBeNull();
		expect(press('k', { altKey: true })).toBeNull();
	});

	it('does not fire while typing, except Escape', () => {
		for (const target of [{ tagName: 'INPUT', type: 'text' }, { tagName: 'INPUT', type: 'email' }, { tagName: 'TEXTAREA' }, { tagName: 'SELECT' }, { tagName: 'DIV', isContentEditable: true }]) {
			expect(press('a', { target })).toBeNull();
			expect(press('?', { target })).toBeNull();
		}
		expect(press('Escape', { target: { tagName: 'INPUT', type: 'text' } })).toBe('close');
	});

	it('works from a checkbox, but leaves Enter to links and buttons', () => {
		expect(press('x', { target: { tagName: 'INPUT', type: 'checkbox' } })).toBe('toggle');
		expect(press('Enter', { target: { tagName: 'BUTTON' } })).toBeNull();
		expect(press('Enter', { target: { tagName: 'A' } })).toBeNull();
	});
});

describe('isTypingTarget', () => {
	it('treats an input without a type as text', () => {
		expect(isTypingTarget({ tagName: 'input' })).toBe(true);
		expect(isTypingTarget({ tagName: 'INPUT', type: 'radio' })).toBe(false);
		expect(isTypingTarget(null)).toBe(false);
	});
});
