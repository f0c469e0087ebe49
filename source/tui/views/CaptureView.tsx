import { Box, Text } from 'ink';
import { safeText } from '../../views/safe-text.js';
import type { CaptureFile, PassProgress } from '../capture/capture-file.js';
import { EditLine } from '../components/Frame.js';
import { ListView } from '../components/ListView.js';
import { filterError } from '../expression.js';
import type { ListState } from '../list.js';
import type { RowSource } from '../rows.js';
import type { EditState } from '../state.js';
import { toneStyle, useTheme } from '../theme.js';

export interface CaptureViewProps {
	readonly file: CaptureFile;
	readonly edit: EditState | null;
	readonly filterText: string;
	readonly filter: string | null;
	readonly heads: string;
	readonly source: RowSource;
	readonly list: ListState;
	readonly listHeight: number;
	readonly detail: RowSource;
	readonly detailHeight: number;
	readonly detailOpen: boolean;
	readonly detailTop: number;
	readonly width: number;
}

const count = (n: number) => n.toLocaleString('en-US');
export const loadPercent = (pass: PassProgress, size: number) => `${size > 0 ? Math.min(100, Math.floor((pass.bytes / size) * 100)) : 100}%`;

/** How far the file and the filter have got, in words: "1,234 of 50,000 packets match · loading 45%". */
export function captureStatus(file: CaptureFile, filter: string | null): { text: string; error?: string } {
	const parts = [filter === null ? `${count(file.count)} packets` : `${count(file.shown)} of ${count(file.count)} packets match`];
	if (!file.load.done) parts.push(`loading ${loadPercent(file.load, file.size)}`);
	if (filter !== null && !file.filterPass.done) parts.push(`filtering ${loadPercent(file.filterPass, file.size)}`);
	const replay = file.replayPass;
	if (replay) {
		const fates = [...file.byFate].map(([fate, n]) => `${count(n)} ${fate}`).join(', ');
		parts.push(replay.done ? `replayed: ${fates}` : `replaying ${loadPercent(replay, file.size)}${fates ? `: ${fates}` : ''}`);
	}
	// A pass's error is any exception's message: a replay's may quote the ruleset (a chain loop's names).
	const error = file.load.error ?? file.filterPass.error ?? replay?.error;
	return { text: parts.join(' · '), ...(error ? { error: `${file.name}: ${safeText(error)}` } : {}) };
}

/** The filter line's inline check while it is typed: what Enter will do, or where the filter goes wrong. */
function filterCheck(text: string): { ok: boolean; text: string } {
	if (!text.trim()) return { ok: true, text: 'Enter shows every packet · host A, net CIDR, port N, tcp, udp, icmp, arp, vlan N, and/or/not, ( )' };
	const problem = filterError(text);
	return problem === undefined ? { ok: true, text: 'Enter filters' } : { ok: false, text: `✗ ${problem}` };
}

/** The packet list (only the rows in view are decoded and drawn), the filter line, and the selected packet's detail. */
export function CaptureView({ file, edit, filterText, filter, heads, source, list, listHeight, detail, detailHeight, detailOpen, detailTop, width }: CaptureViewProps) {
	const theme = useTheme();
	const editing = edit?.target === 'filter';
	const status = captureStatus(file, filter);
	const check = editing ? filterCheck(edit.text) : undefined;
	const selected = source.count ? file.packetAt(Math.min(list.cursor, source.count - 1)) + 1 : undefined;
	const rule = `── ${selected === undefined ? 'no packet' : `packet ${selected}`} ${detailOpen ? '(Enter: back to the list) ' : '(Enter: all of it) '}`;
	return (
		<Box flexDirection="column">
			{editing
				? <EditLine prefix="Filter ▸ " text={edit.text} cursor={edit.cursor} width={width} focused />
				: (
					<Text wrap="truncate-end">
						<Text bold>Filter ▸ </Text>
						{filter === null ? <Text dimColor>{filterText ? `${filterText} (not applied) ` : 'none (f or /) '}</Text> : <Text>{`${filter} `}</Text>}
						<Text dimColor>{`· ${status.text}`}</Text>
						{status.error ? <Text {...toneStyle(theme, 'warn')}>{`  ⚠ ${status.error}`}</Text> : null}
					</Text>
				)}
			{check
				? <Text wrap="truncate-end" {...(check.ok ? { dimColor: true } : toneStyle(theme, 'bad'))}>{check.text}</Text>
				: <Text dimColor wrap="truncate-end">{detailOpen ? ' ' : `  ${heads}`}</Text>}
			{detailOpen ? null : <ListView source={source} list={list} height={listHeight} width={width - 2} query={null} focused={!edit} />}
			<Text dimColor wrap="truncate-end">{rule.padEnd(width, '─')}</Text>
			<ListView source={detail} list={{ cursor: detailTop, top: detailTop, left: 0 }} height={detailHeight} width={width - 2} query={null} focused={false} />
		</Box>
	);
}
