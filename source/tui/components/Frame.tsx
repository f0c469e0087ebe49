import { Box, Text } from 'ink';
import { footerEntries, helpSections, type KeyContext, VIEW_TITLES, VIEWS, type ViewId } from '../keys.js';
import type { Message } from '../state.js';
import { useTheme } from '../theme.js';
import { safeText } from '../../views/safe-text.js';

export interface HostSummary {
	readonly name: string;
	readonly label: string;
	readonly counts: readonly string[];
	readonly warnings: readonly string[];
}

function fit(text: string, width: number): string {
	return text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text;
}

export function Header({ host, view, width }: { host: HostSummary; view: ViewId; width: number }) {
	const theme = useTheme();
	const title = fit(` netsleuth │ ${safeText(host.name)} │ ${safeText(host.label)} │ ${host.counts.join(' · ')}`, width);
	const more = host.warnings.length > 1 ? ` (+${host.warnings.length - 1} more: ? lists them)` : '';
	return (
		<Box flexDirection="column">
			<Text bold wrap="truncate-end" {...(theme.colour ? { color: 'cyan' } : {})}>{title}</Text>
			<Text wrap="truncate-end">
				{VIEWS.map((v, i) => (
					<Text key={v} inverse={v === view} bold={v === view}>{` ${i + 1} ${VIEW_TITLES[v]} `}</Text>
				))}
			</Text>
			{host.warnings.length > 0 && (
				<Text wrap="truncate-end" {...(theme.colour ? { color: 'yellow' } : {})}>{fit(`⚠ ${safeText(host.warnings[0]!)}${more}`, width)}</Text>
			)}
		</Box>
	);
}

/** A line editor's text with a block cursor, scrolled so that the cursor stays in view. */
export function EditLine({ prefix, text, cursor, width, focused }: { prefix: string; text: string; cursor: number; width: number; focused: boolean }) {
	const room = Math.max(4, width - prefix.length - 1);
	const start = Math.max(0, cursor - room + 1);
	const shown = text.slice(start, start + room);
	const at = cursor - start;
	if (!focused) return <Text wrap="truncate-end">{prefix}{shown}</Text>;
	return (
		<Text wrap="truncate-end">
			{prefix}{shown.slice(0, at)}<Text inverse>{shown[at] ?? ' '}</Text>{shown.slice(at + 1)}
		</Text>
	);
}

export function Footer({ context, message, status, width }: { context: KeyContext; message: Message | null; status: React.ReactNode; width: number }) {
	const theme = useTheme();
	const entries = footerEntries(context, width - 1);
	return (
		<Box flexDirection="column">
			{message
				? <Text wrap="truncate-end" bold {...(theme.colour ? { color: message.tone === 'error' ? 'red' : 'yellow' } : {})}>{fit(message.text, width)}</Text>
				: <Box>{status}</Box>}
			<Text wrap="truncate-end">
				{entries.map((e, i) => (
					<Text key={i}>
						{i > 0 ? '  ' : ''}
						<Text bold {...(theme.colour ? { color: 'cyan' } : {})}>{e.keys}</Text>
						{` ${e.text}`}
					</Text>
				))}
			</Text>
		</Box>
	);
}

/** The help overlay's lines: the key table, then the host's warnings. */
export function helpLines(warnings: readonly string[]): { text: string; heading: boolean }[] {
	const lines: { text: string; heading: boolean }[] = [];
	for (const section of helpSections()) {
		lines.push({ text: section.title, heading: true });
		for (const line of section.lines) lines.push({ text: `  ${line.keys.padEnd(20)} ${line.help}`, heading: false });
	}
	lines.push({ text: 'Marks', heading: true });
	lines.push({ text: '  ▶  the deciding rule, the chosen route      ●  a rule that matched', heading: false });
	lines.push({ text: '  ·  a rule walked that did not match          ▸ ▾  a step to unfold / unfolded', heading: false });
	if (warnings.length) {
		lines.push({ text: `Warnings about this host (${warnings.length})`, heading: true });
		for (const w of warnings) lines.push({ text: `  ⚠ ${safeText(w)}`, heading: false });
	}
	return lines;
}

export function HelpOverlay({ lines, top, height }: { lines: readonly { text: string; heading: boolean }[]; top: number; height: number }) {
	const theme = useTheme();
	const start = Math.max(0, Math.min(top, lines.length - height));
	return (
		<Box flexDirection="column" height={height} overflow="hidden">
			{lines.slice(start, start + height).map((line, i) => (
				<Text key={i} wrap="truncate-end" bold={line.heading} {...(line.heading && theme.colour ? { color: 'cyan' } : {})}>{line.text}</Text>
			))}
		</Box>
	);
}
