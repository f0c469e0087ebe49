import type { ViewId } from './keys.js';

/**
 * The frame's geometry, pure so that the reducer (page size) and the renderer agree. Ink appends a newline
 * to a frame that is shorter than the terminal and repaints the whole screen (scrollback included) for one
 * that fills it, so the frame is one line shorter than the terminal.
 */
export interface Size {
	readonly columns: number;
	readonly rows: number;
}

export const MIN_SIZE: Size = { columns: 40, rows: 12 };

export function tooSmall(size: Size): boolean {
	return size.columns < MIN_SIZE.columns || size.rows < MIN_SIZE.rows;
}

export function frameHeight(size: Size): number {
	return Math.max(1, size.rows - 1);
}

export function headerHeight(warnings: number): number {
	return warnings > 0 ? 3 : 2;
}

export const FOOTER_HEIGHT = 2;

/** Lines a view keeps above its list: the packet line, its check and the fate; the breadcrumb; the route get line and its answer; the filter line and the column heads. */
export const VIEW_PREAMBLE: Readonly<Record<ViewId, number>> = { trace: 3, rules: 1, routes: 2, links: 0, capture: 2 };

/** The packet form's rows (it takes the packet line's place in the Trace view). */
export const FORM_ROWS = 4;

export function bodyHeight(size: Size, warnings: number): number {
	return Math.max(1, frameHeight(size) - headerHeight(warnings) - FOOTER_HEIGHT);
}

/** What shows above the lists beyond the fixed preamble: the packet form (Trace); the detail pane below the packets (Capture). */
export interface LayoutOptions {
	readonly form?: boolean;
	readonly detailOpen?: boolean;
}

export function listHeight(view: ViewId, size: Size, warnings: number, options: LayoutOptions = {}): number {
	const room = bodyHeight(size, warnings) - VIEW_PREAMBLE[view] - (view === 'trace' && options.form ? FORM_ROWS - 1 : 0);
	if (view === 'capture') return Math.max(1, captureSplit(room, options.detailOpen === true).list);
	return Math.max(1, room);
}

/**
 * The Capture view below its preamble: the packet list, a rule, and the detail pane (layers, then the hex
 * dump) with a little under half of the room; with the detail open, the detail pane has it all.
 */
export function captureSplit(room: number, detailOpen: boolean): { list: number; detail: number } {
	if (detailOpen) return { list: 0, detail: Math.max(1, room - 1) };
	const detail = Math.max(3, Math.floor((room - 1) * 0.45));
	return { list: Math.max(1, room - 1 - detail), detail };
}

/** The list's text width: the two-column gutter for marks comes off the terminal's width. */
export function listWidth(size: Size): number {
	return Math.max(1, size.columns - 2);
}
