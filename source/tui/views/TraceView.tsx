import { Box, Text } from 'ink';
import { EditLine } from '../components/Frame.js';
import { ListView } from '../components/ListView.js';
import type { ExpressionCheck, TraceOutcome } from '../expression.js';
import { fateLine } from '../data/trace-rows.js';
import { FORM_FIELDS, FORM_HINTS, FORM_LABELS, type FormField, type FormValues } from '../form.js';
import { FORM_ROWS } from '../layout.js';
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
	/** The packet form in place of the line: its values, the field being edited, and the field an error is about. */
	readonly form?: { readonly values: FormValues; readonly field: number; readonly errorField?: FormField };
	/** The trace is of a captured packet: which one, in words. */
	readonly captured?: string;
}

const LABEL_WIDTH = 12;

/** The form's fields, three a row; the field being edited has the cursor, the one an error names a ✗. */
function FormGrid({ values, field, errorField, edit, width }: { values: FormValues; field: number; errorField?: FormField; edit: EditState | null; width: number }) {
	const theme = useTheme();
	const cell = Math.floor(width / 3);
	const rows: FormField[][] = [];
	for (let i = 0; i < FORM_FIELDS.length; i += 3) rows.push(FORM_FIELDS.slice(i, i + 3));
	return (
		<Box flexDirection="column" height={FORM_ROWS}>
			{rows.map((names, r) => (
				<Box key={r}>
					{names.map((name, c) => {
						const focused = edit?.target === 'form' && FORM_FIELDS[field] === name;
						const wrong = errorField === name;
						const value = focused ? edit.text : values[name];
						const room = Math.max(4, cell - LABEL_WIDTH - 1);
						return (
							<Box key={name} width={cell}>
								<Text wrap="truncate-end">
									<Text bold={focused} {...(wrong ? toneStyle(theme, 'bad') : focused ? {} : { dimColor: true })}>{`${wrong ? '✗' : ' '}${FORM_LABELS[name].padStart(LABEL_WIDTH - 2)} `}</Text>
									{focused
										? <><EditLine prefix="" text={value} cursor={edit.cursor} width={room} focused />{value ? null : <Text dimColor>{FORM_HINTS[name].slice(0, Math.max(0, room - 2))}</Text>}</>
										: <Text>{value ? value.slice(0, room) : '·'}</Text>}
								</Text>
							</Box>
						);
					})}
				</Box>
			))}
		</Box>
	);
}

/** The packet line (or the form) with inline validation, the fate in one coloured line, and the path. */
export function TraceView({ expression, edit, traced, check, outcome, source, list, height, width, query, form, captured }: TraceViewProps) {
	const theme = useTheme();
	const editing = edit?.target === 'expression' || edit?.target === 'form';
	const text = edit?.target === 'expression' ? edit.text : expression;
	let info: React.ReactNode;
	if (captured && !editing && traced === expression) {
		info = <Text dimColor wrap="truncate-end">{`${captured}: traced with its own bytes, as trace --pcap does · e or f edits it`}</Text>;
	} else if (editing || traced === null) {
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
			{form
				? <FormGrid values={form.values} field={form.field} edit={edit} width={width} {...(form.errorField ? { errorField: form.errorField } : {})} />
				: <EditLine prefix="Packet ▸ " text={text} cursor={edit?.target === 'expression' ? edit.cursor : 0} width={width} focused={edit?.target === 'expression'} />}
			{info}
			{fate}
			<ListView source={source} list={list} height={height} width={width - 2} query={query} focused={!edit} />
		</Box>
	);
}
