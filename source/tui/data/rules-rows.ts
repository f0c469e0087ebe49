import { ruleRow } from '../../commands/show.js';
import { chainReferences } from '../../netfilter/references.js';
import type { Chain, Ruleset, Table } from '../../netfilter/ruleset.js';
import type { Trace } from '../../trace/model.js';
import type { HostModel } from '../../trace/pipeline.js';
import { safeText } from '../../views/safe-text.js';
import type { Mark, RowAction, RowSource, Tone } from '../rows.js';

/**
 * Every table → chain → rule of the host, laid out as `iptables -L -v -n --line-numbers`. A kube-proxy
 * node has ~110,000 rules, so only the structure is built up front (typed arrays, no strings); rules are
 * formatted a block at a time, the first time one of the block is shown (or searched), and kept.
 */

const enum Kind { Table = 0, Chain = 1, Columns = 2, Rule = 3 }

interface ChainInfo {
	readonly family: 4 | 6;
	readonly table: Table;
	readonly chain: Chain;
	readonly header: number;
}

export interface RulesTable {
	readonly count: number;
	readonly ruleCount: number;
	/** Where each chain's heading is, by `family|table|chain`. */
	readonly chains: ReadonlyMap<string, number>;
	/** The row's text as shown (formats its chain on first use). */
	text(i: number): string;
	/** The row's text for search: as shown, and a rule also as iptables-save writes it. */
	searchText(i: number): string;
	tone(i: number): Tone;
	/** `4|filter|INPUT` for a chain heading, `4|filter|INPUT|3` for its third rule; '' otherwise. */
	key(i: number): string;
	/** The heading row of the chain a rule jumps to (-1: not a jump). */
	jump(i: number): number;
	/** The widest line formatted so far. */
	widest(): number;
}

const COLUMNS = ['num', 'pkts', 'bytes', 'target', 'prot', 'opt', 'in', 'out', 'source', 'destination'] as const;
const RIGHT = new Set<string>(['num', 'pkts', 'bytes']);

export function ruleKey(family: 4 | 6, table: string, chain: string, rule?: number | null): string {
	return rule === undefined || rule === null ? `${family}|${table}|${chain}` : `${family}|${table}|${chain}|${rule}`;
}

/**
 * Formats rules [start, end) of a chain, columns as wide as those rules need (a 10,000-rule KUBE-SERVICES
 * chain is formatted a block at a time), and the column heading that fits them.
 */
function formatBlock(chain: Chain, start: number, end: number): { heading: string; lines: string[] } {
	const cells: string[][] = [];
	for (let i = start; i < end; i++) {
		const rule = chain.rules[i]!;
		const row = ruleRow(rule, i + 1);
		// Every column comes from the rule's own words: when those are clean, so are the columns.
		const clean = !UNSAFE.test(rule.text);
		const out: string[] = COLUMNS.map((column) => (clean ? String(row[column]) : safeText(String(row[column]))));
		out.push(clean ? row.extra : safeText(row.extra));
		cells.push(out);
	}
	const width = COLUMNS.map((column) => column.length);
	for (const cell of cells) for (let c = 0; c < COLUMNS.length; c++) if (cell[c]!.length > width[c]!) width[c] = cell[c]!.length;
	const line = (cell: readonly string[]) => {
		let text = '';
		for (let c = 0; c < COLUMNS.length; c++) text += `${RIGHT.has(COLUMNS[c]!) ? cell[c]!.padStart(width[c]!) : cell[c]!.padEnd(width[c]!)} `;
		return `${text}${cell[COLUMNS.length] ?? ''}`.trimEnd();
	};
	return { heading: line([...COLUMNS, '']), lines: cells.map(line) };
}

const BLOCK = 256;

/** What safeText would change: escapes, controls, bidirectional overrides. */
const UNSAFE = /[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

export function buildRulesTable(model: HostModel): RulesTable {
	const kinds: Kind[] = [];
	const owner: number[] = [];
	const chainInfos: ChainInfo[] = [];
	const tableTitles = new Map<number, string>();
	const chains = new Map<string, number>();
	let ruleCount = 0;
	const add = (ruleset: Ruleset) => {
		const family = ruleset.family;
		for (const table of ruleset.tables.values()) {
			tableTitles.set(kinds.length, `${family === 4 ? 'iptables' : 'ip6tables'} -t ${safeText(table.name)}`);
			kinds.push(Kind.Table);
			owner.push(-1);
			for (const chain of table.chains.values()) {
				const index = chainInfos.length;
				chains.set(ruleKey(family, table.name, chain.name), kinds.length);
				chainInfos.push({ family, table, chain, header: kinds.length });
				kinds.push(Kind.Chain);
				owner.push(index);
				if (chain.rules.length === 0) continue;
				kinds.push(Kind.Columns);
				owner.push(index);
				for (let r = 0; r < chain.rules.length; r++) {
					kinds.push(Kind.Rule);
					owner.push(index);
				}
				ruleCount += chain.rules.length;
			}
		}
	};
	if (model.rules4) add(model.rules4);
	if (model.rules6) add(model.rules6);
	const kind = Uint8Array.from(kinds);
	const chainOf = Int32Array.from(owner);
	// Formatted blocks by chain index and block number.
	const formatted = new Map<number, Map<number, { heading: string; lines: string[] }>>();
	let widest = 0;
	const block = (index: number, number: number) => {
		let blocks = formatted.get(index);
		if (!blocks) formatted.set(index, (blocks = new Map()));
		let cached = blocks.get(number);
		if (!cached) {
			const chain = chainInfos[index]!.chain;
			cached = formatBlock(chain, number * BLOCK, Math.min(chain.rules.length, (number + 1) * BLOCK));
			for (const line of cached.lines) if (line.length > widest) widest = line.length;
			blocks.set(number, cached);
		}
		return cached;
	};
	// A table's references are counted when one of its user chains' headings is first shown, not before the first frame.
	const references = new Map<Table, Map<string, number>>();
	const referencesTo = (info: ChainInfo): number => {
		let counts = references.get(info.table);
		if (!counts) references.set(info.table, (counts = chainReferences(info.table)));
		return counts.get(info.chain.name) ?? 0;
	};
	const ruleIndex = (i: number) => i - chainInfos[chainOf[i]!]!.header - 2;
	const header = (info: ChainInfo) => info.chain.builtin
		? `Chain ${safeText(info.chain.name)} (policy ${safeText(info.chain.policy ?? 'ACCEPT')} ${info.chain.counters?.packets ?? 0n} packets, ${info.chain.counters?.bytes ?? 0n} bytes)${info.chain.absent ? ' (not created in the kernel)' : ''}`
		: `Chain ${safeText(info.chain.name)} (${referencesTo(info)} references)`;
	const text = (i: number): string => {
		switch (kind[i] as Kind) {
			case Kind.Table: return tableTitles.get(i)!;
			case Kind.Chain: return header(chainInfos[chainOf[i]!]!);
			case Kind.Columns: return block(chainOf[i]!, 0).heading;
			case Kind.Rule: {
				const r = ruleIndex(i);
				return block(chainOf[i]!, Math.floor(r / BLOCK)).lines[r % BLOCK]!;
			}
		}
	};
	return {
		count: kind.length,
		ruleCount,
		chains,
		text,
		// A rule is found by what the row shows (`dpt:80`) and by how iptables-save writes it (`--dport 80`).
		searchText: (i) => (kind[i] === Kind.Rule ? `${text(i)}\n${safeText(chainInfos[chainOf[i]!]!.chain.rules[ruleIndex(i)]!.text)}` : text(i)),
		tone: (i) => (['heading', 'subheading', 'columns', 'normal'] as const)[kind[i]!]!,
		key: (i) => {
			const k = kind[i] as Kind;
			if (k !== Kind.Chain && k !== Kind.Rule) return '';
			const info = chainInfos[chainOf[i]!]!;
			return ruleKey(info.family, info.table.name, info.chain.name, k === Kind.Rule ? ruleIndex(i) + 1 : undefined);
		},
		jump: (i) => {
			if (kind[i] !== Kind.Rule) return -1;
			const info = chainInfos[chainOf[i]!]!;
			const target = info.chain.rules[ruleIndex(i)]!.target;
			return target ? chains.get(ruleKey(info.family, info.table.name, target.name)) ?? -1 : -1;
		},
		widest: () => widest,
	};
}

/** The marks a trace puts on rules and chains: the deciding rules, every rule that matched, every rule walked. */
export function traceMarks(trace: Trace | undefined): Map<string, Mark> {
	const marks = new Map<string, Mark>();
	if (!trace) return marks;
	const family = trace.packet.family;
	for (const step of trace.steps) {
		if (step.kind !== 'chain') continue;
		marks.set(ruleKey(family, step.table, step.chain), 'hit');
		for (const e of step.evaluations) {
			marks.set(ruleKey(family, e.table, e.chain), 'hit');
			const key = ruleKey(family, e.table, e.chain, e.rule);
			if (!marks.has(key) || e.matched) marks.set(key, e.matched ? 'hit' : 'walked');
		}
	}
	for (const hit of trace.hits) if (hit.type === 'rule') marks.set(ruleKey(family, hit.table, hit.chain, hit.rule), 'hit');
	// The rule that ended each hook's chain (ACCEPT in FORWARD, DNAT in PREROUTING …), and the final verdict.
	for (const step of trace.steps) if (step.kind === 'chain' && step.decided_by !== 'policy') marks.set(ruleKey(family, step.table, step.decided_by.chain, step.decided_by.rule), 'decider');
	const v = trace.verdict;
	if (v.table && v.chain) marks.set(ruleKey(family, v.table, v.chain, v.rule), 'decider');
	return marks;
}

/** The rows, with a trace's marks laid over them. */
export function rulesSource(table: RulesTable, marks: ReadonlyMap<string, Mark>): RowSource {
	return {
		count: table.count,
		get widest() {
			return table.widest() + 2;
		},
		text: (i) => table.searchText(i),
		row: (i) => {
			const mark = marks.size ? marks.get(table.key(i)) : undefined;
			const text = table.text(i);
			return mark ? { text, tone: mark === 'decider' ? 'decider' : table.tone(i), mark } : { text, tone: table.tone(i) };
		},
		action: (i): RowAction | undefined => {
			const to = table.jump(i);
			return to >= 0 ? { kind: 'jump', to, label: table.text(to) } : undefined;
		},
		locate: (key) => {
			const at = key.lastIndexOf('|');
			const header = table.chains.get(key.slice(0, at));
			const rule = Number(key.slice(at + 1));
			return header === undefined || !Number.isInteger(rule) || rule < 1 || table.key(header + 1 + rule) !== key ? undefined : header + 1 + rule;
		},
	};
}

/** Where a row is: "filter ▸ INPUT" for the breadcrumb. */
export function chainOf(table: RulesTable, index: number): string | undefined {
	for (let i = Math.min(index, table.count - 1); i >= 0; i--) {
		const tone = table.tone(i);
		if (tone === 'heading') return table.text(i);
		const key = table.key(i);
		if (!key) continue;
		const [family, tableName, chain] = key.split('|');
		return `${family === '6' ? 'ip6tables ' : ''}${tableName} ▸ ${chain}`;
	}
	return undefined;
}
