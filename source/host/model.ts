import type { IpSetEntry } from '../netfilter/extension.js';
import { parseRuleset } from '../netfilter/parse.js';
import type { Ruleset } from '../netfilter/ruleset.js';
import { ParseError } from '../netfilter/tokens.js';
import { parseAddresses, parseRoutes, parseRules } from '../routing/routes.js';
import type { HostModel } from '../trace/pipeline.js';

/** A host's state as the raw text its tools print: what a snapshot stores and the collectors read. */
export interface RawHostState {
	hostname?: string;
	/** `iptables-save -c` and `ip6tables-save -c`. */
	iptables?: string;
	ip6tables?: string;
	/** JSON of `ip -j route show table all` and `ip -6 -j route show table all`. */
	routes?: string;
	routes6?: string;
	/** JSON of `ip -j rule` and `ip -6 -j rule`. */
	ipRules?: string;
	ipRules6?: string;
	/** JSON of `ip -j -d addr`. */
	addresses?: string;
	/** `key = value` lines as `sysctl -a` prints them. */
	sysctl?: string;
	/** `ipset save`. */
	ipset?: string;
	/** JSON of `nft -j list ruleset`: says which built-in chains iptables-nft really created. */
	nft?: string;
}

/** Where each raw part came from, for error messages ("rules.txt", "snapshot host.json: iptables"). */
export type Origins = Partial<Record<keyof RawHostState, string>>;

/** A bad input: the message names the file and, where it can, line and column. */
export class InputError extends Error {}

function json(text: string, origin: string): unknown {
	try {
		return JSON.parse(text);
	} catch (error) {
		throw new InputError(`${origin}: not valid JSON (${(error as Error).message})`);
	}
}

function located<T>(origin: string, parse: () => T): T {
	try {
		return parse();
	} catch (error) {
		if (error instanceof ParseError) throw new InputError(`${origin}:${error.line}:${error.column}: ${error.reason}`);
		if (error instanceof InputError) throw error;
		throw new InputError(`${origin}: ${(error as Error).message}`);
	}
}

export function parseSysctl(text: string): Map<string, string> {
	const values = new Map<string, string>();
	for (const line of text.split('\n')) {
		const eq = line.indexOf('=');
		if (eq < 0) continue;
		values.set(line.slice(0, eq).trim().replace(/\//g, '.'), line.slice(eq + 1).trim());
	}
	return values;
}

/** `ipset save` → sets by name: `create NAME TYPE …` then `add NAME MEMBER …`. */
export function parseIpsetSave(text: string): Map<string, IpSetEntry> {
	const sets = new Map<string, { type: string; members: string[] }>();
	for (const line of text.split('\n')) {
		const words = line.trim().split(/\s+/);
		if (words[0] === 'create' && words[1] && words[2]) sets.set(words[1], { type: words[2], members: [] });
		else if (words[0] === 'add' && words[1] && words[2]) sets.get(words[1])?.members.push(words[2]);
	}
	return sets;
}

/**
 * iptables-nft-save prints every built-in chain of a table, but iptables-nft creates only those a ruleset
 * uses; a chain the kernel does not have has no hook, no policy and no trace events. nft's listing tells.
 */
function markAbsentChains(listing: unknown, ruleset: Ruleset | undefined, family: 'ip' | 'ip6'): void {
	if (!ruleset) return;
	const items = (listing as { nftables?: unknown[] })?.nftables;
	if (!Array.isArray(items)) throw new InputError('nft -j list ruleset: expected an object with an "nftables" array');
	const tables = new Set<string>();
	const chains = new Set<string>();
	for (const item of items as Record<string, { family?: string; name?: string; table?: string }>[]) {
		if (item.table?.family === family && item.table.name) tables.add(item.table.name);
		if (item.chain?.family === family && item.chain.table && item.chain.name) chains.add(`${item.chain.table}/${item.chain.name}`);
	}
	for (const table of ruleset.tables.values()) {
		if (!tables.has(table.name)) continue; // a legacy-backend table: nft does not see it
		for (const chain of table.chains.values()) if (chain.builtin && !chains.has(`${table.name}/${chain.name}`)) chain.absent = true;
	}
}

export interface LoadedHost {
	readonly model: HostModel;
	/** Warnings worth a line each: parse warnings with their location, parts that were not given. */
	readonly warnings: string[];
}

/** Builds the engine's model from raw outputs; parts that are missing stay missing (and are said so). */
export function buildHost(raw: RawHostState, origins: Origins = {}): LoadedHost {
	const warnings: string[] = [];
	const origin = (key: keyof RawHostState, fallback: string) => origins[key] ?? fallback;
	const rules = (key: 'iptables' | 'ip6tables', family: 4 | 6): Ruleset | undefined => {
		const text = raw[key];
		if (text === undefined) return undefined;
		const name = origin(key, family === 4 ? 'iptables-save' : 'ip6tables-save');
		const ruleset = located(name, () => parseRuleset(text, { family, origin: name }));
		for (const w of ruleset.warnings) warnings.push(`${name}:${w.line}:${w.column}: ${w.text}`);
		return ruleset;
	};
	const rules4 = rules('iptables', 4);
	const rules6 = rules('ip6tables', 6);
	if (raw.nft !== undefined) {
		const listing = located(origin('nft', 'nft -j list ruleset'), () => json(raw.nft!, origin('nft', 'nft -j list ruleset')));
		markAbsentChains(listing, rules4, 'ip');
		markAbsentChains(listing, rules6, 'ip6');
	}
	const addresses = raw.addresses === undefined ? [] : located(origin('addresses', 'ip -j addr'), () => parseAddresses(json(raw.addresses!, origin('addresses', 'ip -j addr'))));
	const haveRouting = raw.routes !== undefined || raw.routes6 !== undefined;
	const routes = [
		...(raw.routes === undefined ? [] : located(origin('routes', 'ip -j route'), () => parseRoutes(json(raw.routes!, origin('routes', 'ip -j route'))))),
		...(raw.routes6 === undefined ? [] : located(origin('routes6', 'ip -6 -j route'), () => parseRoutes(json(raw.routes6!, origin('routes6', 'ip -6 -j route')), 6))),
	];
	const ipRules = [
		...(raw.ipRules === undefined ? [] : located(origin('ipRules', 'ip -j rule'), () => parseRules(json(raw.ipRules!, origin('ipRules', 'ip -j rule')), 4))),
		...(raw.ipRules6 === undefined ? [] : located(origin('ipRules6', 'ip -6 -j rule'), () => parseRules(json(raw.ipRules6!, origin('ipRules6', 'ip -6 -j rule')), 6))),
	];
	const model: HostModel = {
		name: raw.hostname ?? 'host',
		...(rules4 ? { rules4 } : {}),
		...(rules6 ? { rules6 } : {}),
		...(haveRouting ? { routing: { routes, rules: ipRules, localAddresses: addresses } } : {}),
		facts: {
			addresses: addresses.map((a) => ({ ip: a.ip, prefix: a.prefixlen ?? (a.ip.family === 4 ? 32 : 128), dev: a.dev })),
			ipsets: raw.ipset === undefined ? new Map() : parseIpsetSave(raw.ipset),
			groups: new Map(),
		},
		sysctl: raw.sysctl === undefined ? new Map() : parseSysctl(raw.sysctl),
	};
	return { model, warnings };
}
