import { Box, Text } from 'ink';
import { ListView } from '../components/ListView.js';
import { chainOf, type RulesTable } from '../data/rules-rows.js';
import type { ListState } from '../list.js';
import type { RowSource } from '../rows.js';

export interface RulesViewProps {
	readonly table: RulesTable;
	readonly source: RowSource;
	readonly list: ListState;
	readonly back: readonly ListState[];
	readonly traced: string | null;
	readonly height: number;
	readonly width: number;
	readonly query: string | null;
}

/** Tables → chains → rules as iptables -L -v --line-numbers, the current trace's path marked. */
export function RulesView({ table, source, list, back, traced, height, width, query }: RulesViewProps) {
	const here = chainOf(table, list.cursor);
	const from = back.length ? chainOf(table, back.at(-1)!.cursor) : undefined;
	const crumb = [here ?? 'no rules', from ? `← Backspace: ${from}` : '', traced ? `● path of: ${traced}` : ''].filter(Boolean).join('   ');
	return (
		<Box flexDirection="column">
			<Text wrap="truncate-end" bold>{crumb}</Text>
			<ListView source={source} list={list} height={height} width={width - 2} query={query} focused />
		</Box>
	);
}
