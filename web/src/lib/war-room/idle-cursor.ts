export const CURSOR_IDLE_MS = 3_000;

/**
 * Kiosk mode: the pointer disappears after `idleMs` without movement and comes back on the next
 * move. `setHidden` applies it (a class on the page); returns the stop function, which shows it again.
 */
export function hideCursorWhenIdle(target: EventTarget, setHidden: (hidden: boolean) => void, idleMs = CURSOR_IDLE_MS): () => void {
	let timer: ReturnType<typeof setTimeout> | null = null;
	const arm = () => {
		if (timer) clearTimeout(timer);
		timer = setTimeout(() => setHidden(true), idleMs);
	};
	const onMove = () => {
		setHidden(false);
		arm();
	};
	target.addEventListener('pointermove', onMove);
	target.addEventListener('pointerdown', onMove);
	arm();
	return () => {
		if (timer) clearTimeout(timer);
		target.removeEventListener('pointermove', onMove);
		target.removeEventListener('pointerdown', onMove);
		setHidden(false);
	};
}
