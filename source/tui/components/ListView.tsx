import { Box, Text } from 'ink';
import { memo } from 'react';
import { type ListState, windowTop } from '../list.js';
import { MARK_GLYPHS, type Row, type RowSource } from '../rows.js';
import { markStyle, matchStyle, type Theme, toneStyle, useTheme } from '../theme.js';

/** Splits text into plain and matching pieces (case-insensitive) for highlighting. */
export function splitMatches(text: string, query: string | null): { text: string; match: boolean }[] {
	if (!query) return [{ text, match: false }];
	const lower = text.toLowerCase();
	const needle = query.toLowerCase();
	const pieces: { text: string; match: boolean }[] = [];
	let at = 0;
	for (let found = lower.indexOf(needle); found >= 0 && needle; found = lower.indexOf(needle, found + needle.length)) {
		if (found > at) pieces.push({ text: text.slice(at, found), match: false });
		pieces.push({ text: text.slice(found, found + needle.length), match: true });
		at = found + needle.length;
	}
	if (at < text.length) pieces.push({ text: text.slice(at), match: false });
	return pieces;
}

interface LineProps {
	readonly row: Row;
	readonly selected: boolean;
	readonly left: number;
	readonly width: number;
	readonly query: string | null;
	readonly theme: Theme;
}

const Line = memo(function Line({ row, selected, left, width, query, theme }: LineProps) {
	// Only the cursor's row is padded (its bar spans the width): ink's cost per frame grows with the characters drawn.
	const slice = row.text.slice(left, left + width);
	const visible = selected ? slice.padEnd(width) : slice.trimEnd();
	const glyph = row.mark ? MARK_GLYPHS[row.mark] : ' ';
	const pieces = (text: string) => splitMatches(text, query).map((piece, i) => (piece.match ? <Text key={i} {...matchStyle(theme)}>{piece.text}</Text> : piece.text));
	const accent = row.accent;
	const from = accent ? Math.max(0, accent.from - left) : 0;
	const to = accent ? Math.max(0, accent.to - left) : 0;
	return (
		<Text wrap="truncate-end">
			<Text {...(row.mark ? markStyle(theme, row.mark) : {})}>{`${glyph} `}</Text>
			<Text {...toneStyle(theme, row.tone)} inverse={selected}>
				{accent && to > from
					? <>{pieces(visible.slice(0, from))}<Text {...toneStyle(theme, accent.tone)}>{pieces(visible.slice(from, to))}</Text>{pieces(visible.slice(to))}</>
					: pieces(visible)}
			</Text>
		</Text>
	);
});

export interface ListViewProps {
	readonly source: RowSource;
	readonly list: ListState;
	readonly height: number;
	readonly width: number;
	readonly query: string | null;
	/** The cursor is shown only when the list has the keyboard. */
	readonly focused: boolean;
}

/** Renders only the rows in the window: a list of any length costs the same per keypress. */
export function ListView({ source, list, height, width, query, focused }: ListViewProps) {
	const theme = useTheme();
	const top = windowTop(list, source.count, height);
	const end = Math.min(source.count, top + height);
	const lines = [];
	for (let i = top; i < end; i++) {
		lines.push(<Line key={i - top} row={source.row(i)} selected={focused && i === list.cursor} left={list.left} width={width} query={query} theme={theme} />);
	}
	return (
		<Box flexDirection="column" height={height} overflowY="hidden">
			{lines}
		</Box>
	);
}
