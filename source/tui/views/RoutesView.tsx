import { Box, Text } from 'ink';
import { EditLine } from '../components/Frame.js';
import { ListView } from '../components/ListView.js';
import { ROUTE_HINT, type RouteQueryCheck } from '../expression.js';
import type { ListState } from '../list.js';
import type { RowSource } from '../rows.js';
import type { EditState } from '../state.js';
import { toneStyle, useTheme } from '../theme.js';

export interface RoutesViewProps {
	readonly edit: EditState | null;
	readonly routeText: string;
	readonly check: RouteQueryCheck;
	/** The answer to the last route get, or what the marks show. */
	readonly answer: { readonly text: string; readonly tone: 'good' | 'bad' | 'dim' };
	readonly source: RowSource;
	readonly list: ListState;
	readonly height: number;
	readonly width: number;
	readonly query: string | null;
}

/** Policy rules, then each table; the route chosen by the trace (or by route get) marked. */
export function RoutesView({ edit, routeText, check, answer, source, list, height, width, query }: RoutesViewProps) {
	const theme = useTheme();
	const editing = edit?.target === 'route';
	const text = editing ? edit.text : routeText;
	let second: React.ReactNode;
	if (editing) {
		second = check.ok
			? <Text dimColor wrap="truncate-end">Enter looks it up</Text>
			: check.empty ? <Text dimColor wrap="truncate-end">{ROUTE_HINT}</Text>
			: <Text wrap="truncate-end" {...toneStyle(theme, 'bad')}>{`✗ ${check.error}`}</Text>;
	} else {
		second = <Text wrap="truncate-end" {...(answer.tone === 'dim' ? { dimColor: true } : toneStyle(theme, answer.tone))}>{answer.text}</Text>;
	}
	return (
		<Box flexDirection="column">
			{editing || routeText
				? <EditLine prefix="route get ▸ " text={text} cursor={editing ? edit.cursor : text.length} width={width} focused={editing} />
				: <Text dimColor wrap="truncate-end">route get ▸ (r, then a destination)</Text>}
			{second}
			<ListView source={source} list={list} height={height} width={width - 2} query={query} focused={!edit} />
		</Box>
	);
}
