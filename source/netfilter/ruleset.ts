import type { Cidr } from '../packet/address.js';
import type { MatchExtension, OptionUse, TargetExtension } from './extension.js';
import type { Token } from './tokens.js';

export const BUILTIN_CHAINS: Readonly<Record<string, readonly string[]>> = {
	raw: ['PREROUTING', 'OUTPUT'],
	mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
	nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
	filter: ['INPUT', 'FORWARD', 'OUTPUT'],
	security: ['INPUT', 'FORWARD', 'OUTPUT'],
};

export interface Counters {
	readonly packets: bigint;
	readonly bytes: bigint;
}

export interface Negatable<T> {
	readonly value: T;
	readonly negated: boolean;
}

/** The criteria iptables itself provides (no -m): -s -d -p -i -o -f. */
export interface BasicCriteria {
	source?: Negatable<Cidr>;
	destination?: Negatable<Cidr>;
	protocol?: Negatable<{ number: number; name: string }>;
	inInterface?: Negatable<string>;
	outInterface?: Negatable<string>;
	fragment?: Negatable<true>;
}

export interface MatchUse {
	readonly name: string;
	/** Undefined for a module netsleuth does not know: kept, shown, and evaluated as an assumption. */
	readonly extension: MatchExtension | undefined;
	readonly options: unknown;
	readonly uses: readonly OptionUse[];
	/** The words as written, `-m name` included (empty for an implicit protocol match). */
	readonly tokens: readonly Token[];
}

export interface TargetUse {
	readonly name: string;
	/** -j or -g (goto only makes sense for a user chain). */
	readonly goto: boolean;
	/** Undefined for a user chain or a target netsleuth does not know. */
	readonly extension: TargetExtension | undefined;
	readonly options: unknown;
	readonly tokens: readonly Token[];
}

export interface Rule {
	readonly table: string;
	readonly chain: string;
	/** 1-based line in the input. */
	readonly line: number;
	/** The rule as written, without a leading [packets:bytes]: "-A INPUT -s 10.2.67.113/32 -j REJECT". */
	readonly text: string;
	readonly counters?: Counters;
	readonly basic: BasicCriteria;
	readonly matches: readonly MatchUse[];
	readonly target?: TargetUse;
	/** Every word after the chain name, as written. */
	readonly tokens: readonly Token[];
}

export interface Chain {
	readonly name: string;
	readonly builtin: boolean;
	policy?: string;
	counters?: Counters;
	readonly line: number;
	readonly rules: Rule[];
	/** A built-in chain iptables-save prints but the kernel does not have (iptables-nft creates chains lazily). */
	absent?: boolean;
}

export interface Table {
	readonly name: string;
	readonly line: number;
	readonly chains: Map<string, Chain>;
}

export interface Diagnostic {
	readonly line: number;
	readonly column: number;
	readonly text: string;
}

export interface Ruleset {
	readonly family: 4 | 6;
	readonly tables: Map<string, Table>;
	readonly warnings: readonly Diagnostic[];
	/** Where it came from, for messages ("iptables-save", a file name). */
	readonly origin: string;
	/** Some rule needs connection tracking, so the kernel tracks connections for this family. */
	readonly usesConntrack: boolean;
}

/** The 1-based position of a rule in its chain, as iptables -L --line-numbers shows it. */
export function ruleNumber(chain: Chain, rule: Rule): number {
	return chain.rules.indexOf(rule) + 1;
}

/** Prints a parsed rule back in iptables-save form: identical to the line it came from. */
export function formatRule(rule: Rule): string {
	const counters = rule.counters ? `[${rule.counters.packets}:${rule.counters.bytes}] ` : '';
	let body = '';
	let end = 0;
	for (const token of rule.tokens) {
		// Keep the spacing as written (hand-written dumps have double spaces); the columns say where words began.
		body += end === 0 ? ' ' : ' '.repeat(Math.max(1, token.column - end));
		body += token.raw;
		end = token.column + token.raw.length;
	}
	return `${counters}-A ${rule.chain}${body}`;
}

export function countRules(ruleset: Ruleset): number {
	let count = 0;
	for (const table of ruleset.tables.values()) for (const chain of table.chains.values()) count += chain.rules.length;
	return count;
}
