/** A scrolling list's position, and the pure moves on it (the selection-list idea: state in, state out). */
export interface ListState {
	readonly cursor: number;
	/** The first row shown. */
	readonly top: number;
	/** Columns scrolled to the right. */
	readonly left: number;
}

export const START: ListState = { cursor: 0, top: 0, left: 0 };

const clamp = (n: number, low: number, high: number) => Math.max(low, Math.min(high, n));

/** The first row to show so that the cursor is visible and the window stays within the list. */
export function windowTop(list: ListState, count: number, height: number): number {
	const h = Math.max(1, height);
	let top = clamp(list.top, 0, Math.max(0, count - h));
	const cursor = clamp(list.cursor, 0, Math.max(0, count - 1));
	if (cursor < top) top = cursor;
	if (cursor >= top + h) top = cursor - h + 1;
	return Math.max(0, top);
}

/** Puts the cursor on a row, scrolling as little as possible. */
export function moveTo(list: ListState, index: number, count: number, height: number): ListState {
	const cursor = count === 0 ? 0 : clamp(index, 0, count - 1);
	return { ...list, cursor, top: windowTop({ ...list, cursor }, count, height) };
}

/** Puts a row at the top of the window (a chain that was opened), the cursor on it. */
export function showAtTop(list: ListState, index: number, count: number, height: number): ListState {
	const cursor = count === 0 ? 0 : clamp(index, 0, count - 1);
	return { ...list, cursor, top: clamp(cursor, 0, Math.max(0, count - Math.max(1, height))) };
}

export function moveBy(list: ListState, delta: number, count: number, height: number): ListState {
	return moveTo(list, list.cursor + delta, count, height);
}

/** Page moves keep the cursor's place in the window, as pagers do. */
export function page(list: ListState, direction: 1 | -1, count: number, height: number): ListState {
	const h = Math.max(1, height);
	const top = windowTop(list, count, h);
	const offset = list.cursor - top;
	const newTop = clamp(top + direction * h, 0, Math.max(0, count - h));
	const cursor = count === 0 ? 0 : clamp(newTop + offset, 0, count - 1);
	// At either end the cursor goes all the way.
	const atEdge = newTop === top;
	return { ...list, top: newTop, cursor: atEdge ? (direction > 0 ? Math.max(0, count - 1) : 0) : cursor };
}

export function scrollSideways(list: ListState, delta: number, widest: number, width: number): ListState {
	return { ...list, left: clamp(list.left + delta, 0, Math.max(0, widest - width)) };
}

/**
 * The next row whose text contains the query (case-insensitive), searching from `from` in a direction and
 * wrapping around; undefined when none does. Reads rows through an accessor so big lists stay outside state.
 */
export function findRow(count: number, text: (i: number) => string, query: string, from: number, direction: 1 | -1): number | undefined {
	if (!query || count === 0) return undefined;
	const needle = query.toLowerCase();
	for (let step = 0; step < count; step++) {
		const i = (((from + direction * step) % count) + count) % count;
		if (text(i).toLowerCase().includes(needle)) return i;
	}
	return undefined;
}
