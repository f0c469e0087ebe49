import { Box, Text } from 'ink';
import { EditLine } from '../components/Frame.js';
import { ListView } from '../components/ListView.js';
import type { ExpressionCheck, TraceOutcome } from '../expression.js';
import { fateLine } from '../data/trace-rows.js';
import type { ListState } from '../list.js';
import type { RowSource } from '../rows.js';
import type { EditState } from '../state.js';
import { toneStyle, useTheme } from '../theme.js';

export interface TraceViewProps {
	readonly expression: string;
	readonly edit: EditState | null;
	readonly traced: string | null;
	/** The check of the line as it stands (while typing). */
	readonly check: ExpressionCheck;
	readonly outcome: TraceOutcome | undefined;
	readonly source: RowSource;
	readonly list: ListState;
	readonly height: number;
	readonly width: number;
	readonly query: string | null;
}

/** The packet line with inline validation, the fate in one coloured line, and the path. */
export function TraceView({ expression, edit, traced, check, outcome, source, list, height, width, query }: TraceViewProps) {
	const theme = useTheme();
	const editing = edit?.target === 'expression';
	const text = editing ? edit.text : expression;
	let info: React.ReactNode;
	if (editing || traced === null) {
		if (check.ok) {
			info = (
				<Text wrap="truncate-end">
					<Text {...toneStyle(theme, 'good')}>✓ </Text>
					{check.description}
					{check.warning
						? <Text {...toneStyle(theme, 'warn')}>{`  ⚠ ${check.warning}`}</Text>
						: <Text dimColor>{editing ? '  Enter traces' : '  e, then Enter traces'}</Text>}
				</Text>
			);
		} else if (check.empty) {
			info = <Text dimColor wrap="truncate-end">{check.error}</Text>;
		} else {
			info = <Text wrap="truncate-end" {...toneStyle(theme, 'bad')}>{`✗ ${check.error}`}</Text>;
		}
	} else if (traced !== expression) {
		info = <Text dimColor wrap="truncate-end">edited, not traced yet: e, then Enter</Text>;
	} else if (outcome && 'trace' in outcome) {
		const t = outcome.trace;
		info = <Text dimColor wrap="truncate-end">{`path ${t.path} · ${t.hits.length} rule events · traced in ${outcome.milliseconds.toFixed(1)} ms · Enter: ▸ unfolds, on a rule shows it in Rules`}</Text>;
	} else {
		info = <Text dimColor> </Text>;
	}
	let fate: React.ReactNode = <Text dimColor>{traced === null ? 'No packet traced yet.' : ' '}</Text>;
	if (outcome && 'trace' in outcome) {
		const line = fateLine(outcome.trace);
		fate = <Text wrap="truncate-end" {...toneStyle(theme, line.tone)}>{line.text}</Text>;
	} else if (outcome && 'error' in outcome) {
		fate = <Text wrap="truncate-end" {...toneStyle(theme, 'bad')}>{outcome.error}</Text>;
	}
	return (
		<Box flexDirection="column">
			<EditLine prefix="Packet ▸ " text={text} cursor={editing ? edit.cursor : text.length} width={width} focused={editing} />
			{info}
			{fate}
			<ListView source={source} list={list} height={height} width={width - 2} query={query} focused={!edit} />
		</Box>
	);
}
