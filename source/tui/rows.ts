/**
 * What a list view shows: rows of plain, terminal-safe text with a tone, read through an accessor so that
 * a 110,000-rule ruleset is built once, kept outside React state, and only the visible slice is rendered.
 */

export type Tone =
	| 'normal'
	| 'heading'
	| 'subheading'
	| 'columns'
	| 'dim'
	| 'good'
	| 'bad'
	| 'warn'
	| 'accent'
	| 'match'
	| 'miss'
	| 'decider';

/** A mark in the two-column gutter: the current trace's path, the chosen route. */
export type Mark = 'decider' | 'hit' | 'walked' | 'chosen' | 'folded' | 'unfolded' | undefined;

export const MARK_GLYPHS: Readonly<Record<Exclude<Mark, undefined>, string>> = {
	decider: '▶', hit: '●', walked: '·', chosen: '▶', folded: '▸', unfolded: '▾',
};

export interface Row {
	readonly text: string;
	readonly tone: Tone;
	readonly mark?: Mark;
	/** A span of the text in a tone of its own (the fate column of a replayed capture). */
	readonly accent?: { readonly from: number; readonly to: number; readonly tone: Tone };
}

/** What Enter does on a row. */
export type RowAction =
	| { readonly kind: 'jump'; readonly to: number; readonly label: string }
	| { readonly kind: 'toggle'; readonly key: string }
	/** A rule of the trace: show it in the Rules view (key as ruleKey makes it). */
	| { readonly kind: 'rule'; readonly key: string }
	/** A captured packet (1-based): its expression to trace, or why it cannot be traced. */
	| { readonly kind: 'packet'; readonly n: number; readonly expression?: string; readonly error?: string };

export interface RowSource {
	readonly count: number;
	row(i: number): Row;
	/** Plain text for search (the row's text). */
	text(i: number): string;
	action?(i: number): RowAction | undefined;
	/** The row of a rule, by ruleKey (the Rules view). */
	locate?(key: string): number | undefined;
	/** The widest row, for sideways scrolling. */
	readonly widest: number;
}

export function arraySource(rows: readonly Row[], actions?: (i: number) => RowAction | undefined): RowSource {
	let widest = 0;
	for (const row of rows) if (row.text.length > widest) widest = row.text.length;
	return {
		count: rows.length,
		row: (i) => rows[i]!,
		text: (i) => rows[i]!.text,
		...(actions ? { action: actions } : {}),
		widest: widest + 2,
	};
}

export const EMPTY_SOURCE: RowSource = arraySource([]);
