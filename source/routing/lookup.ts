import { type Ip, cidrContains, formatCidr, formatIp, ipEquals, parseCidr, parseIp } from '../packet/address.js';
import {
	type Family,
	type IpRule,
	type LocalAddress,
	type Nexthop,
	type Route,
	defaultRules,
	formatRoute,
	formatRule,
} from './routes.js';

/**
 * The kernel's routing decision (net/ipv4/fib_rules.c, fib_trie.c, route.c; net/ipv6/fib6_rules.c,
 * route.c, addrconf.c) for one flow: policy rules, table lookup, then what ip_route_output /
 * ip_route_input and their IPv6 counterparts make of the result (device, gateway, source address).
 * Assumed, since the state does not carry sysctls: forwarding on, rp_filter off, accept_local off,
 * route_localnet off, every interface up and in interface group 0.
 */

export interface RoutingState {
	rules: IpRule[];
	routes: Route[];
	localAddresses?: LocalAddress[];
	/** Interfaces that are down (parseDownLinks); the kernel refuses them as output interface. */
	linksDown?: string[];
}

export interface RouteQuery {
	family: Family;
	dst: Ip;
	src?: Ip;
	/** Given: the packet arrives on this interface (input route); absent: locally generated. */
	iif?: string;
	oif?: string;
	mark?: number;
	tos?: number;
	proto?: number;
	sport?: number;
	dport?: number;
	uid?: number;
}

export type DecisionType =
	| 'unicast'
	| 'local'
	| 'broadcast'
	| 'multicast'
	| 'anycast'
	| 'blackhole'
	| 'unreachable'
	| 'prohibit'
	/** The kernel refuses the addresses themselves (martian source/destination, unusable source). */
	| 'martian'
	| 'no-route';

/** The errno `ip route get` reports when the decision is not a route. */
export type RouteError = 'ENETUNREACH' | 'EHOSTUNREACH' | 'EACCES' | 'EINVAL';

export const ROUTE_ERROR_TEXT: Record<RouteError, string> = {
	ENETUNREACH: 'Network is unreachable',
	EHOSTUNREACH: 'No route to host',
	EACCES: 'Permission denied',
	EINVAL: 'Invalid argument',
};

export interface DecisionNexthop {
	dev: string | null;
	gateway: string | null;
	prefsrc: string | null;
	weight: number;
}

export interface RouteDecision {
	type: DecisionType;
	/** The destination address looked up. */
	address: string;
	/** The matched prefix, null when no route matched. */
	dst: string | null;
	dev: string | null;
	gateway: string | null;
	/** The source address the kernel picks; null where `ip route get` reports none (a given --from, input routes). */
	prefsrc: string | null;
	table: string | null;
	/** Priority of the rule that decided, null when none did. */
	rule: number | null;
	/** Multipath: the kernel picks one of these per flow hash, which cannot be predicted. */
	nexthops?: DecisionNexthop[];
	error?: RouteError;
	explanation: string[];
}

// ── address classes ──────────────────────────────────────────────────────────────────────────────

const word = (ip: Ip): number => ip.words[0]!;
const isMulticast4 = (ip: Ip): boolean => word(ip) >>> 28 === 0xe;
const isLocalMulticast4 = (ip: Ip): boolean => word(ip) >>> 8 === 0xe00000;
const isLimitedBroadcast = (ip: Ip): boolean => word(ip) === 0xffffffff;
const isZeronet = (ip: Ip): boolean => word(ip) >>> 24 === 0;
const isLoopback4 = (ip: Ip): boolean => word(ip) >>> 24 === 127;
const ANY4: Ip = { family: 4, words: [0] };
const LOOPBACK4 = parseIp('127.0.0.1')!;

const isMulticast6 = (ip: Ip): boolean => word(ip) >>> 24 === 0xff;
const isLinkLocal6 = (ip: Ip): boolean => word(ip) >>> 22 === 0xfe80 >>> 6;
const isLoopback6 = (ip: Ip): boolean => ip.words.every((w, i) => w === (i === 3 ? 1 : 0));

/** IPv6 address scope as __ipv6_addr_type computes it (1 node, 2 link, 5 site, 14 global). */
function scope6(ip: Ip): number {
	if (isMulticast6(ip)) return (word(ip) >>> 16) & 0xf;
	if (isLoopback6(ip)) return 1;
	if (isLinkLocal6(ip)) return 2;
	if (word(ip) >>> 22 === 0xfec0 >>> 6) return 5;
	return 14;
}

/** RFC 6724 default policy table (net/ipv6/addrlabel.c). */
const LABELS: Array<[string, number]> = [
	['::1/128', 0], ['::/96', 3], ['::ffff:0:0/96', 4], ['2001::/32', 6], ['2001:10::/28', 7], ['2002::/16', 2],
	['3ffe::/16', 12], ['fec0::/10', 11], ['fc00::/7', 5], ['::/0', 1],
];
const LABEL_PREFIXES = LABELS.map(([text, label]) => ({ cidr: parseCidr(text)!, label })).sort((a, b) => b.cidr.prefix - a.cidr.prefix);

const label6 = (ip: Ip): number => LABEL_PREFIXES.find((entry) => cidrContains(entry.cidr, ip))!.label;

function commonPrefix(a: Ip, b: Ip): number {
	let bits = 0;
	for (let i = 0; i < a.words.length; i++) {
		const diff = (a.words[i]! ^ b.words[i]!) >>> 0;
		if (diff === 0) bits += 32;
		else return bits + Math.clz32(diff);
	}
	return bits;
}

const SCOPES: Record<string, number> = { global: 0, universe: 0, site: 200, link: 253, host: 254, nowhere: 255 };
const scopeNumber = (scope: string | undefined): number => (scope === undefined ? 0 : SCOPES[scope] ?? Number(scope));
const SCOPE_LINK = 253;
const SCOPE_UNIVERSE = 0;

// ── prepared state ───────────────────────────────────────────────────────────────────────────────

interface Fib {
	rules: Record<Family, IpRule[]>;
	tables: Map<string, Route[]>;
	addresses: LocalAddress[];
	/**
	 * Until a rule is added the kernel keeps IPv4 local and main in one trie (key '4 merged'), searched
	 * without rules, and reports the result as table main.
	 */
	mergedTables4: boolean;
	/** The kernel validates input sources by a reverse lookup once rules or local routes were added. */
	customRules4: boolean;
	/** Some rule looks at ports or protocol, so the reverse lookup carries them too. */
	rulesNeedPorts4: boolean;
}

/** Indexes per state; a state is treated as immutable once looked up (replace its arrays to change it). */
const prepared = new WeakMap<RoutingState, { routes: Route[]; rules: IpRule[]; fib: Fib }>();

function isDefaultRule(rule: IpRule): boolean {
	const { priority, family, not, action, table, ...selectors } = rule;
	return (
		!not &&
		action === 'lookup' &&
		Object.keys(selectors).length === 0 &&
		defaultRules(family).some((d) => d.priority === priority && d.table === table)
	);
}

function prepare(state: RoutingState): Fib {
	const cached = prepared.get(state);
	if (cached && cached.routes === state.routes && cached.rules === state.rules) return cached.fib;
	const byPriority = (family: Family): IpRule[] => {
		const rules = state.rules.filter((r) => r.family === family);
		// Stable sort: rules of equal priority stay in the order ip printed them (kernel list order).
		return (rules.length > 0 ? rules : defaultRules(family)).sort((a, b) => a.priority - b.priority);
	};
	const tables = new Map<string, Route[]>();
	for (const route of state.routes) {
		const key = `${route.family} ${route.table}`;
		const table = tables.get(key);
		if (table) table.push(route);
		else tables.set(key, [route]);
	}
	const rules4 = state.rules.filter((r) => r.family === 4);
	// Adding or deleting any rule unmerges for good, so only the untouched default set counts.
	const mergedTables4 = rules4.length === 0 || (rules4.length === 3 && rules4.every(isDefaultRule));
	if (mergedTables4) tables.set('4 merged', [...(tables.get('4 local') ?? []), ...(tables.get('4 main') ?? [])]);
	// Kernel order within a table: longest prefix, (merged: local before main), routes with a TOS before
	// TOS 0, then lowest metric.
	const local = (route: Route): number => (route.table === 'local' ? 0 : 1);
	for (const routes of tables.values()) {
		routes.sort((a, b) => b.dst.prefix - a.dst.prefix || local(a) - local(b) || b.tos - a.tos || a.metric - b.metric);
	}
	const fib: Fib = {
		rules: { 4: byPriority(4), 6: byPriority(6) },
		tables,
		addresses: state.localAddresses ?? [],
		mergedTables4,
		customRules4:
			!mergedTables4 ||
			state.routes.some((r) => r.family === 4 && r.type === 'local' && r.protocol !== 'kernel'),
		rulesNeedPorts4: rules4.some((r) => r.ipproto !== undefined || r.sport || r.dport),
	};
	prepared.set(state, { routes: state.routes, rules: state.rules, fib });
	return fib;
}

// ── policy rules ─────────────────────────────────────────────────────────────────────────────────

interface Flow {
	family: Family;
	dst: Ip;
	src?: Ip;
	iif: string;
	oif?: string;
	mark: number;
	tos: number;
	proto: number;
	sport: number;
	dport: number;
	uid: number;
}

interface TableOptions {
	/** IPv6: routes not on preferDev are unusable (RT6_LOOKUP_F_IFACE) rather than merely less preferred. */
	strict: boolean;
	preferDev?: string;
}

type FibResult =
	| { kind: 'route'; route: Route; hops: Nexthop[]; rule: number; table: string }
	| { kind: 'error'; error: RouteError; type: DecisionType; rule?: number; table?: string; route?: Route };

const hex = (n: number): string => `0x${n.toString(16)}`;

/** Why the rule's selectors do not match the flow (fib_rule_match + fib4/fib6_rule_match), or undefined. */
function ruleMismatch(rule: IpRule, flow: Flow): string | undefined {
	if (rule.unsupported) return rule.unsupported;
	if (rule.iif !== undefined) {
		if (rule.iifDetached) return `interface ${rule.iif} does not exist`;
		if (rule.iif !== flow.iif) return `the packet comes from ${flow.iif === 'lo' ? 'this host (iif lo)' : flow.iif}`;
	}
	if (rule.oif !== undefined) {
		if (rule.oifDetached) return `interface ${rule.oif} does not exist`;
		if (rule.oif !== flow.oif) return flow.oif ? `the output interface is ${flow.oif}` : 'no output interface is bound';
	}
	if (rule.fwmark !== undefined && ((rule.fwmark ^ flow.mark) & rule.fwmask!) >>> 0 !== 0) return `mark ${hex(flow.mark)} does not match`;
	if (rule.uidrange && (flow.uid < rule.uidrange.start || flow.uid > rule.uidrange.end)) return `uid ${flow.uid} is outside the range`;
	if (rule.from && rule.from.prefix > 0) {
		// IPv4 looks up with source 0.0.0.0 when none is chosen yet; IPv6 skips source selectors then.
		const src = flow.src ?? (flow.family === 4 ? ANY4 : undefined);
		if (!src) return 'no source address is chosen yet';
		if (!cidrContains(rule.from, src)) return `source ${formatIp(src)} is outside ${formatCidr(rule.from)}`;
	}
	if (rule.to && !cidrContains(rule.to, flow.dst)) return `destination is outside ${formatCidr(rule.to)}`;
	if (rule.tos) {
		// IPv4 compares the legacy TOS bits (0x1c) unless the rule used the full DSCP selector.
		const mask = flow.family === 4 && !rule.dscpFull ? 0x1c : 0xfc;
		if ((flow.tos & mask) !== rule.tos) return `tos ${hex(flow.tos)} does not match`;
	}
	if (rule.ipproto !== undefined && rule.ipproto !== flow.proto) return `protocol ${flow.proto} does not match`;
	if (rule.sport && (flow.sport < rule.sport.start || flow.sport > rule.sport.end)) return `source port ${flow.sport} does not match`;
	if (rule.dport && (flow.dport < rule.dport.start || flow.dport > rule.dport.end)) return `destination port ${flow.dport} does not match`;
	return undefined;
}

const ROUTE_ERRORS: Partial<Record<Route['type'], RouteError>> = {
	blackhole: 'EINVAL',
	unreachable: 'EHOSTUNREACH',
	prohibit: 'EACCES',
	nat: 'EINVAL',
};
const RULE_ERRORS: Record<'blackhole' | 'unreachable' | 'prohibit', RouteError> = {
	blackhole: 'EINVAL',
	unreachable: 'ENETUNREACH',
	prohibit: 'EACCES',
};

const alive = (route: Route): Nexthop[] => {
	const hops = route.nexthops ?? [{ ...(route.gateway && { gateway: route.gateway }), ...(route.dev !== undefined && { dev: route.dev }), weight: 1, flags: route.flags }];
	return hops.filter((hop) => !hop.flags.includes('dead'));
};

/** fib_table_lookup: longest prefix, TOS, metric; reject routes answer at once, nexthops must fit the oif. */
function lookupTable4(routes: Route[], flow: Flow, log: string[]): { route: Route; hops: Nexthop[] } | undefined {
	for (const route of routes) {
		if (!cidrContains(route.dst, flow.dst)) continue;
		if (route.tos && route.tos !== (flow.tos & 0x1c)) {
			log.push(`  skip ${formatRoute(route)}: tos ${hex(flow.tos)} does not match`);
			continue;
		}
		if (ROUTE_ERRORS[route.type] || route.type === 'throw') return { route, hops: [] };
		const hops = alive(route).filter((hop) => !flow.oif || hop.dev === flow.oif);
		if (hops.length === 0) {
			log.push(`  skip ${formatRoute(route)}: ${flow.oif ? `not out of ${flow.oif}` : 'no live nexthop'}`);
			continue;
		}
		return { route, hops: flow.oif ? hops.slice(0, 1) : hops };
	}
	return undefined;
}

const ROUTER_PREFERENCE: Record<string, number> = { low: 1, medium: 2, high: 3 };

/**
 * fib6_table_lookup + rt6_select: the longest prefix with a usable route; there, the lowest metric
 * with any usable route (higher metrics are tried together only when none is), and within that the
 * best score: on the preferred device, then router preference; the first route on a tie.
 */
function lookupTable6(routes: Route[], flow: Flow, options: TableOptions, log: string[]): { route: Route; hops: Nexthop[] } | undefined {
	const onDev = (hop: Nexthop): boolean => !options.preferDev || (hop.dev ?? 'lo') === options.preferDev;
	const score = (route: Route): number => {
		const rejects = ROUTE_ERRORS[route.type] !== undefined || route.type === 'throw';
		if (!rejects && alive(route).length === 0) return -1;
		const preferred = alive(route).some(onDev);
		if (!preferred && options.strict) {
			log.push(`  skip ${formatRoute(route)}: not out of ${options.preferDev}`);
			return -1;
		}
		return (preferred ? 2 : 0) | ((ROUTER_PREFERENCE[route.pref ?? 'medium'] ?? 2) << 2);
	};
	const best = (batch: Route[]): Route | undefined => {
		let chosen: { route: Route; score: number } | undefined;
		for (const route of batch) {
			const s = score(route);
			if (s >= 0 && (!chosen || s > chosen.score)) chosen = { route, score: s };
		}
		return chosen?.route;
	};
	const candidates = routes.filter(
		(route) => cidrContains(route.dst, flow.dst) && (!route.src || (flow.src ? cidrContains(route.src, flow.src) : route.src.prefix === 0)),
	);
	for (const prefix of new Set(candidates.map((route) => route.dst.prefix))) {
		const node = candidates.filter((route) => route.dst.prefix === prefix);
		const lowest = node[0]!.metric;
		const route = best(node.filter((r) => r.metric === lowest)) ?? best(node.filter((r) => r.metric !== lowest));
		if (!route) continue;
		if (ROUTE_ERRORS[route.type] || route.type === 'throw') return { route, hops: [] };
		const hops = alive(route);
		return { route, hops: options.strict ? hops.filter(onDev) : hops };
	}
	return undefined;
}

/** The kernel's fib_lookup without custom rules: local+main as one trie, then default. */
function mergedLookup(fib: Fib, flow: Flow, log: string[]): FibResult {
	log.push('no custom IPv4 rules: the kernel searches local and main as one table, then default');
	for (const table of ['merged', 'default']) {
		const skipped: string[] = [];
		const hit = lookupTable4(fib.tables.get(`4 ${table}`) ?? [], flow, skipped);
		const name = table === 'merged' ? 'main' : table;
		const found = hit && `table ${hit.route.table === 'local' ? 'local (merged into main)' : name}: ${formatRoute(hit.route)}`;
		log.push(...skipped);
		if (!hit || hit.route.type === 'throw') {
			log.push(hit ? `${found} throws` : `table ${table === 'merged' ? 'local+main' : name} has no route to ${formatIp(flow.dst)}`);
			continue;
		}
		log.push(found!);
		// The rule that would have led there, for the record.
		const rule = table === 'default' ? 32767 : hit.route.table === 'local' ? 0 : 32766;
		const error = ROUTE_ERRORS[hit.route.type];
		if (error) return { kind: 'error', error, type: hit.route.type === 'nat' ? 'blackhole' : (hit.route.type as DecisionType), rule, table: name, route: hit.route };
		return { kind: 'route', route: hit.route, hops: hit.hops, rule, table: name };
	}
	return { kind: 'error', error: 'ENETUNREACH', type: 'no-route' };
}

function fibLookup(fib: Fib, flow: Flow, options: TableOptions, log: string[]): FibResult {
	if (flow.family === 4 && fib.mergedTables4) return mergedLookup(fib, flow, log);
	const rules = fib.rules[flow.family];
	const what = `${formatIp(flow.dst)}${flow.src ? ` from ${formatIp(flow.src)}` : ''}`;
	for (let i = 0, steps = 0; i < rules.length && steps < 10000; steps++) {
		const rule = rules[i]!;
		const label = `rule ${rule.priority} (${formatRule(rule)})`;
		const why = ruleMismatch(rule, flow);
		if (rule.not === (why === undefined)) {
			log.push(`${label}: no match — ${why ?? 'all selectors match, but the rule is inverted'}`);
			i++;
			continue;
		}
		if (rule.action === 'nop') {
			log.push(`${label}: matches; nop, continue`);
			i++;
			continue;
		}
		if (rule.action === 'goto') {
			const target = rules.findIndex((r) => r.priority === rule.goto);
			// The kernel refuses backward gotos; a target that does not exist leaves the rule unresolved.
			if (target <= i) {
				log.push(`${label}: matches, but the goto target is unresolved; skipped`);
				i++;
			} else {
				log.push(`${label}: matches; jump to rule ${rule.goto}`);
				i = target;
			}
			continue;
		}
		if (rule.action !== 'lookup') {
			log.push(`${label}: matches; ${rule.action}`);
			return { kind: 'error', error: RULE_ERRORS[rule.action], type: rule.action, rule: rule.priority };
		}
		const table = `${flow.family} ${rule.table}`;
		const routes = fib.tables.get(table) ?? [];
		// Routes passed over inside the table are reported under the rule line.
		const skipped: string[] = [];
		const hit = flow.family === 4 ? lookupTable4(routes, flow, skipped) : lookupTable6(routes, flow, options, skipped);
		const note = (line: string): void => void log.push(line, ...skipped);
		if (!hit) {
			note(`${label}: matches; table ${rule.table} has no route to ${what}, continue`);
			i++;
			continue;
		}
		const found = `table ${rule.table}: ${formatRoute(hit.route)}`;
		if (hit.route.type === 'throw') {
			note(`${label}: matches; ${found} throws back to the rules`);
			i++;
			continue;
		}
		const error = ROUTE_ERRORS[hit.route.type];
		if (error) {
			note(`${label}: matches; ${found}`);
			const type = hit.route.type === 'nat' ? 'blackhole' : (hit.route.type as DecisionType);
			return { kind: 'error', error, type, rule: rule.priority, table: rule.table!, route: hit.route };
		}
		if (rule.suppress_prefixlength !== undefined && hit.route.dst.prefix <= rule.suppress_prefixlength) {
			note(`${label}: matches; ${found} suppressed (prefix /${hit.route.dst.prefix} ≤ ${rule.suppress_prefixlength})`);
			i++;
			continue;
		}
		if (rule.suppress_ifgroup === '0' || rule.suppress_ifgroup === 'default') {
			note(`${label}: matches; ${found} suppressed (its device is in group ${rule.suppress_ifgroup})`);
			i++;
			continue;
		}
		note(`${label}: matches; ${found}`);
		return { kind: 'route', route: hit.route, hops: hit.hops, rule: rule.priority, table: rule.table! };
	}
	log.push(`no rule found a route to ${what}`);
	return { kind: 'error', error: 'ENETUNREACH', type: 'no-route' };
}

// ── source address selection ─────────────────────────────────────────────────────────────────────

function inSubnet(address: LocalAddress, ip: Ip): boolean {
	const bits = address.prefixlen ?? 32;
	const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
	return ((word(address.ip) ^ word(ip)) & mask) >>> 0 === 0;
}

/** inet_select_addr: a primary address of dev within scope, preferring the gateway's subnet; else any device's. */
function selectAddress4(fib: Fib, dev: string | undefined, near: Ip | undefined, scope: number): Ip | undefined {
	const v4 = fib.addresses.filter((a) => a.ip.family === 4 && !a.secondary);
	const onDev = v4.filter((a) => a.dev === dev && scopeNumber(a.scope) <= scope);
	const chosen = (near && onDev.find((a) => inSubnet(a, near))) ?? onDev[0];
	if (chosen) return chosen.ip;
	// Devices in order (lo first); link-scope addresses do not serve other links.
	return v4.find((a) => a.scope !== 'link' && scopeNumber(a.scope) <= scope)?.ip;
}

/** ipv6_dev_get_saddr: RFC 6724 source address selection (rules 1, 2, 3, 5, 6, 7, 8). */
function selectAddress6(fib: Fib, dev: string | undefined, dst: Ip): Ip | undefined {
	const dstScope = scope6(dst);
	const dstLabel = label6(dst);
	// Multicast and link-local destinations may only use the outgoing interface's addresses.
	const onlyDev = dev !== undefined && (isMulticast6(dst) || dstScope <= 2);
	const candidates = fib.addresses.filter(
		(a) => a.ip.family === 6 && !(a.tentative && !a.optimistic) && !isMulticast6(a.ip) && a.ip.words.some((w) => w !== 0) && (!onlyDev || a.dev === dev),
	);
	const score = (a: LocalAddress): number[] => {
		const scope = scope6(a.ip);
		return [
			ipEquals(a.ip, dst) ? 1 : 0,
			scope >= dstScope ? -scope : scope - 128,
			isLoopback6(a.ip) || !(a.deprecated || a.optimistic) ? 1 : 0,
			dev === undefined || a.dev === dev ? 1 : 0,
			label6(a.ip) === dstLabel ? 1 : 0,
			a.temporary ? 0 : 1,
			Math.min(commonPrefix(a.ip, dst), a.prefixlen ?? 128),
			a.optimistic ? 0 : 1,
		];
	};
	// Lexicographic: the first rule that differs decides; on a full tie the earlier address stays.
	const beats = (a: number[], b: number[]): boolean => {
		const i = a.findIndex((v, k) => v !== b[k]);
		return i >= 0 && a[i]! > b[i]!;
	};
	let best: { address: LocalAddress; score: number[] } | undefined;
	for (const address of candidates) {
		const s = score(address);
		if (!best || beats(s, best.score)) best = { address, score: s };
	}
	return best?.address.ip;
}

// ── the decision ─────────────────────────────────────────────────────────────────────────────────

const text = (ip: Ip | undefined): string | null => (ip ? formatIp(ip) : null);

class Decider {
	readonly log: string[] = [];
	constructor(
		readonly fib: Fib,
		readonly query: RouteQuery,
		readonly linksDown: string[],
	) {}

	result(fields: Partial<RouteDecision> & { type: DecisionType }): RouteDecision {
		return {
			address: formatIp(this.query.dst),
			dst: null,
			dev: null,
			gateway: null,
			prefsrc: null,
			table: null,
			rule: null,
			...fields,
			explanation: this.log,
		};
	}

	refuse(type: DecisionType, error: RouteError, why: string): RouteDecision {
		this.log.push(why);
		return this.result({ type, error });
	}

	failure(res: Extract<FibResult, { kind: 'error' }>): RouteDecision {
		return this.result({
			type: res.type,
			error: res.error,
			dst: res.route ? formatCidr(res.route.dst) : null,
			table: res.table ?? null,
			rule: res.rule ?? null,
		});
	}

	/** The route's own fields plus per-nexthop gateway and source; nexthops only when the hash decides. */
	route(res: Extract<FibResult, { kind: 'route' }>, type: DecisionType, hop: (h: Nexthop) => { gateway: Ip | undefined; prefsrc: Ip | undefined }): RouteDecision {
		const hops = res.hops.map((h) => ({ dev: h.dev ?? null, ...hop(h), weight: h.weight }));
		const first = hops[0]!;
		if (hops.length > 1) this.log.push(`multipath: the kernel picks one of ${hops.length} nexthops by flow hash`);
		return this.result({
			type,
			dst: formatCidr(res.route.dst),
			dev: first.dev,
			gateway: text(first.gateway),
			prefsrc: text(first.prefsrc),
			table: res.table,
			rule: res.rule,
			...(hops.length > 1 && {
				nexthops: hops.map((h) => ({ dev: h.dev, gateway: text(h.gateway), prefsrc: text(h.prefsrc), weight: h.weight })),
			}),
		});
	}

	flow(overrides: Partial<Flow>): Flow {
		const q = this.query;
		return {
			family: q.family,
			dst: q.dst,
			...(q.src && { src: q.src }),
			iif: q.iif ?? 'lo', // locally generated traffic looks up with iif lo
			...(q.oif !== undefined && { oif: q.oif }),
			mark: q.mark ?? 0,
			tos: q.tos ?? 0,
			proto: q.proto ?? 0,
			sport: q.sport ?? 0,
			dport: q.dport ?? 0,
			uid: q.uid ?? 0,
			...overrides,
		};
	}

	/** The device a local IPv4 address lives on (__ip_dev_find: addresses, then the local table). */
	localDevice4(ip: Ip): string | undefined {
		const address = this.fib.addresses.find((a) => ipEquals(a.ip, ip));
		if (address) return address.dev;
		const local = lookupTable4(this.fib.tables.get('4 local') ?? [], this.flow({ dst: ip, oif: undefined }), []);
		return local?.route.type === 'local' ? local.route.dev : undefined;
	}

	output4(): RouteDecision {
		const { dst, src, oif } = this.query;
		const multicast = isMulticast4(dst);
		const broadcast = isLimitedBroadcast(dst);
		if (src) {
			if (isMulticast4(src) || isLimitedBroadcast(src) || isZeronet(src)) return this.refuse('martian', 'EINVAL', `source ${formatIp(src)} cannot be a packet's source`);
			const dev = this.localDevice4(src);
			if (!dev) return this.refuse('no-route', 'ENETUNREACH', `source ${formatIp(src)} is not a local address`);
			if (!oif && (multicast || broadcast)) {
				this.log.push(`${broadcast ? 'limited broadcast' : 'multicast'} with a source address goes out of the source's interface ${dev}`);
				return this.result({ type: broadcast ? 'broadcast' : 'multicast', dev });
			}
		}
		let oifSource: Ip | undefined;
		if (oif && this.linksDown.includes(oif)) return this.refuse('no-route', 'ENETUNREACH', `output interface ${oif} is down`);
		if (oif) {
			if (isLocalMulticast4(dst) || broadcast) {
				this.log.push(`${broadcast ? 'limited broadcast' : 'link-local multicast'} goes out of ${oif} without a lookup`);
				return this.result({ type: broadcast ? 'broadcast' : 'multicast', dev: oif, prefsrc: src ? null : text(selectAddress4(this.fib, oif, undefined, SCOPE_LINK)) });
			}
			if (!src && multicast) oifSource = selectAddress4(this.fib, oif, undefined, SCOPE_UNIVERSE);
		}
		if (word(dst) === 0) {
			this.log.push('destination 0.0.0.0 means this host');
			return this.result({ type: 'local', dev: 'lo', prefsrc: src ? null : formatIp(LOOPBACK4) });
		}
		const res = fibLookup(this.fib, this.flow({}), { strict: false }, this.log);
		if (res.kind === 'error') {
			if (!oif) return this.failure(res);
			this.log.push(`with an output interface given the kernel assumes ${formatIp(dst)} is on-link on ${oif}`);
			const prefsrc = src ? null : text(oifSource ?? selectAddress4(this.fib, oif, undefined, SCOPE_LINK));
			return this.result({ type: multicast ? 'multicast' : 'unicast', dev: oif, prefsrc });
		}
		const { route } = res;
		if (route.type === 'local') {
			this.log.push('local delivery goes through lo');
			return this.result({ type: 'local', dst: formatCidr(route.dst), dev: 'lo', prefsrc: src ? null : formatIp(route.prefsrc ?? dst), table: res.table, rule: res.rule });
		}
		if (isZeronet(dst)) return this.refuse('martian', 'EINVAL', `destination ${formatIp(dst)} is in 0.0.0.0/8`);
		const type: DecisionType = broadcast ? 'broadcast' : multicast ? 'multicast' : (route.type as DecisionType);
		// Broadcasts and multicasts that only matched a default-ish route are sent on-link, not to a gateway.
		const onLink = type === 'broadcast' || (type === 'multicast' && route.dst.prefix < 4);
		const scope = scopeNumber(route.scope);
		return this.route(res, type, (hop) => ({
			gateway: onLink ? undefined : hop.gateway,
			prefsrc: src ? undefined : oifSource ?? route.prefsrc ?? selectAddress4(this.fib, hop.dev, hop.gateway, scope),
		}));
	}

	/**
	 * ip_route_input_mc: accepted only for a group the interface joined. Group membership is not in the
	 * state; every interface that is up joins 224.0.0.1, so only that one is known.
	 */
	multicastInput4(src: Ip): RouteDecision {
		if (this.linksDown.includes(this.query.iif!)) return this.refuse('martian', 'EINVAL', `${this.query.iif} is down and has left every multicast group`);
		if (word(this.query.dst) !== 0xe0000001) {
			return this.refuse('martian', 'EINVAL', `${this.query.iif} is not known to have joined ${formatIp(this.query.dst)} (only 224.0.0.1 is assumed; multicast routing is not simulated)`);
		}
		if (isMulticast4(src) || isLimitedBroadcast(src) || isLoopback4(src)) return this.refuse('martian', 'EINVAL', `martian source ${formatIp(src)}`);
		const martian = word(src) === 0 ? undefined : this.martianSource4(src, undefined, ANY4);
		if (martian) return this.refuse('martian', 'EINVAL', `martian source: ${martian}`);
		this.log.push(`every interface is a member of ${formatIp(this.query.dst)}: delivered locally`);
		return this.result({ type: 'multicast', dev: 'lo' });
	}

	/** fib_validate_source with rp_filter off: reason the source is martian, or undefined. */
	martianSource4(src: Ip, oifDev: string | undefined, dst: Ip = this.query.dst): string | undefined {
		const { iif, tos, proto, sport, dport } = this.query;
		if (!this.fib.customRules4 && iif !== oifDev) {
			return this.fib.addresses.some((a) => ipEquals(a.ip, src)) ? `source ${formatIp(src)} is one of this host's addresses` : undefined;
		}
		const ports = this.fib.rulesNeedPorts4;
		const reverse = this.flow({
			dst: src,
			src: dst,
			iif: oifDev ?? 'lo',
			oif: undefined,
			mark: 0,
			tos: tos ?? 0,
			proto: ports ? proto ?? 0 : 0,
			sport: ports ? dport ?? 0 : 0,
			dport: ports ? sport ?? 0 : 0,
			uid: 0,
		});
		const res = fibLookup(this.fib, reverse, { strict: false }, []);
		if (res.kind === 'error' || res.route.type === 'unicast') return undefined;
		return `the route back to source ${formatIp(src)} is of type ${res.route.type}`;
	}

	input4(): RouteDecision {
		const { dst, iif } = this.query;
		const src = this.query.src ?? ANY4;
		this.log.push(`input on ${iif}; assumed: forwarding on, rp_filter off`);
		if (isMulticast4(dst)) return this.multicastInput4(src);
		if (isMulticast4(src) || isLimitedBroadcast(src)) return this.refuse('martian', 'EINVAL', `martian source ${formatIp(src)}`);
		if (isLimitedBroadcast(dst) || (word(src) === 0 && word(dst) === 0)) {
			const martian = word(src) === 0 ? undefined : this.martianSource4(src, undefined);
			if (martian) return this.refuse('martian', 'EINVAL', `martian source: ${martian}`);
			return this.result({ type: 'broadcast', dev: 'lo' });
		}
		if (isZeronet(src)) return this.refuse('martian', 'EINVAL', `martian source ${formatIp(src)} (only limited broadcast accepts 0.0.0.0/8 sources)`);
		if (isZeronet(dst) || isLoopback4(dst)) return this.refuse('martian', 'EINVAL', `martian destination ${formatIp(dst)}`);
		if (isLoopback4(src)) return this.refuse('martian', 'EINVAL', `martian source ${formatIp(src)}`);
		const res = fibLookup(this.fib, this.flow({ src, oif: undefined, uid: 0 }), { strict: false }, this.log);
		if (res.kind === 'error') return this.failure(res);
		const { route } = res;
		const where = { dst: formatCidr(route.dst), table: res.table, rule: res.rule };
		if (route.type === 'local' || route.type === 'broadcast') {
			const martian = this.martianSource4(src, undefined);
			if (martian) return this.refuse('martian', 'EINVAL', `martian source: ${martian}`);
			return this.result({ type: route.type, dev: 'lo', ...where });
		}
		if (route.type !== 'unicast') return this.refuse('martian', 'EINVAL', `a ${route.type} route cannot forward`);
		const martian = this.martianSource4(src, res.hops[0]!.dev);
		if (martian) return this.refuse('martian', 'EINVAL', `martian source: ${martian}`);
		return this.route(res, 'unicast', (hop) => ({ gateway: hop.gateway, prefsrc: undefined }));
	}

	lookup6(): RouteDecision {
		const { dst, src, iif, oif } = this.query;
		const input = iif !== undefined;
		const strictDst = isMulticast6(dst) || isLinkLocal6(dst) || isLoopback6(dst);
		// Output with an oif and no source, or a link-scope destination, must leave by that device.
		const options: TableOptions = input
			? { strict: strictDst, ...(iif !== undefined && { preferDev: iif }) }
			: { strict: strictDst || (!!oif && !src), ...(oif !== undefined && { preferDev: oif }) };
		if (input) this.log.push(`input on ${iif}; assumed: forwarding on`);
		const res = fibLookup(this.fib, this.flow(input ? { oif: undefined, uid: 0 } : {}), options, this.log);
		if (res.kind === 'error') return this.failure(res);
		const { route } = res;
		// `ip -6 route get` reports a selected source even with --from given; for input only the route's own src.
		const prefsrc = (dev: string | undefined): Ip | undefined => route.prefsrc ?? (input ? undefined : selectAddress6(this.fib, dev, dst));
		if (route.type === 'local' || route.type === 'anycast') {
			this.log.push('local delivery goes through lo');
			return this.result({ type: route.type, dst: formatCidr(route.dst), dev: 'lo', prefsrc: text(prefsrc(route.dev)), table: res.table, rule: res.rule });
		}
		return this.route(res, route.type as DecisionType, (hop) => ({ gateway: hop.gateway, prefsrc: prefsrc(hop.dev) }));
	}
}

/** What the kernel does with a packet to query.dst: the route (or the refusal) and why. */
export function lookupRoute(state: RoutingState, query: RouteQuery): RouteDecision {
	if (query.dst.family !== query.family || (query.src && query.src.family !== query.family)) {
		throw new Error(`route query mixes address families (family ${query.family})`);
	}
	const decider = new Decider(prepare(state), query, state.linksDown ?? []);
	if (query.family === 6) return decider.lookup6();
	return query.iif !== undefined ? decider.input4() : decider.output4();
}
