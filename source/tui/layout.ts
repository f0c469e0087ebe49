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

/** Lines a view keeps above its list: the packet line, its check and the fate; the breadcrumb; the route get line and its answer. */
export const VIEW_PREAMBLE: Readonly<Record<ViewId, number>> = { trace: 3, rules: 1, routes: 2, links: 0, capture: 0 };

export function bodyHeight(size: Size, warnings: number): number {
	return Math.max(1, frameHeight(size) - headerHeight(warnings) - FOOTER_HEIGHT);
}

export function listHeight(view: ViewId, size: Size, warnings: number): number {
	return Math.max(1, bodyHeight(size, warnings) - VIEW_PREAMBLE[view]);
}

/** The list's text width: the two-column gutter for marks comes off the terminal's width. */
export function listWidth(size: Size): number {
	return Math.max(1, size.columns - 2);
}
