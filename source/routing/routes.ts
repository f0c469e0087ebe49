import { type Cidr, type Ip, formatCidr, formatIp, parseCidr, parseIp } from '../packet/address.js';
import { jsonValueText, parseJson } from '../views/json-input.js';

/**
 * Routes, policy rules and local addresses as `ip -j route show table all`, `ip -j rule` and
 * `ip -j addr` print them (iproute2 6.x), validated and normalised for the lookup.
 */

export type Family = 4 | 6;

export type RouteType =
	| 'unicast'
	| 'local'
	| 'broadcast'
	| 'multicast'
	| 'blackhole'
	| 'unreachable'
	| 'prohibit'
	| 'throw'
	| 'anycast'
	| 'nat';

export interface Nexthop {
	gateway?: Ip;
	dev?: string;
	weight: number;
	flags: string[];
}

export interface Route {
	family: Family;
	type: RouteType;
	dst: Cidr;
	/** IPv6 source-specific route (`from PREFIX`). */
	src?: Cidr;
	/** 'main', 'local', 'default' or another name/number as ip prints it (253-255 are named). */
	table: string;
	dev?: string;
	gateway?: Ip;
	prefsrc?: Ip;
	metric: number;
	tos: number;
	protocol?: string;
	scope?: string;
	/** Present for multipath routes (`nexthop via … nexthop via …`). */
	nexthops?: Nexthop[];
	/** IPv6 router preference ('low' | 'medium' | 'high'), ranks routes of equal metric. */
	pref?: string;
	flags: string[];
}

export interface PortRange {
	start: number;
	end: number;
}

export type RuleAction = 'lookup' | 'blackhole' | 'unreachable' | 'prohibit' | 'goto' | 'nop';

export interface IpRule {
	priority: number;
	family: Family;
	not: boolean;
	from?: Cidr;
	to?: Cidr;
	iif?: string;
	/** The iif/oif device does not exist (ip prints `[detached]`): the selector never matches. */
	iifDetached?: boolean;
	oif?: string;
	oifDetached?: boolean;
	fwmark?: number;
	fwmask?: number;
	tos?: number;
	/** Set by the newer `dscp` selector: compared with the whole DSCP field, not the legacy TOS bits. */
	dscpFull?: boolean;
	ipproto?: number;
	sport?: PortRange;
	dport?: PortRange;
	uidrange?: PortRange;
	action: RuleAction;
	table?: string;
	goto?: number;
	suppress_prefixlength?: number;
	suppress_ifgroup?: string;
	/** Selectors the simulator cannot satisfy (l3mdev, tun_id, flowlabel): such a rule never matches. */
	unsupported?: string;
}

export interface LocalAddress {
	ip: Ip;
	dev: string;
	prefixlen?: number;
	scope?: string;
	secondary?: boolean;
	tentative?: boolean;
	deprecated?: boolean;
	optimistic?: boolean;
	temporary?: boolean;
}

const ROUTE_TYPES = new Set<RouteType>([
	'unicast', 'local', 'broadcast', 'multicast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'anycast', 'nat',
]);

/** /etc/iproute2/rt_dsfield names ip may print instead of a number. */
const DSFIELD_NAMES: Record<string, number> = {
	default: 0x00, AF11: 0x28, AF12: 0x30, AF13: 0x38, AF21: 0x48, AF22: 0x50, AF23: 0x58, AF31: 0x68,
	AF32: 0x70, AF33: 0x78, AF41: 0x88, AF42: 0x90, AF43: 0x98, CS1: 0x20, CS2: 0x40, CS3: 0x60, CS4: 0x80,
	CS5: 0xa0, CS6: 0xc0, CS7: 0xe0, EF: 0xb8,
};

/** /etc/protocols names ip prints for `ipproto`. */
export const PROTOCOL_NUMBERS: Record<string, number> = {
	icmp: 1, igmp: 2, ipencap: 4, tcp: 6, egp: 8, udp: 17, ipv6: 41, 'ipv6-route': 43, 'ipv6-frag': 44,
	rsvp: 46, gre: 47, esp: 50, ah: 51, 'ipv6-icmp': 58, 'ipv6-nonxt': 59, 'ipv6-opts': 60, ospf: 89,
	pim: 103, vrrp: 112, l2tp: 115, sctp: 132, udplite: 136, dccp: 33, mptcp: 262,
};

const PROTOCOL_NAMES = Object.fromEntries(Object.entries(PROTOCOL_NUMBERS).map(([name, n]) => [n, name]));

const TABLE_NAMES: Record<string, string> = { '255': 'local', '254': 'main', '253': 'default' };

/** ip names tables 253-255; normalise numbers so that '254' and 'main' compare equal. */
export function canonicalTable(table: string): string {
	return TABLE_NAMES[table] ?? table;
}

export function defaultRules(family: Family): IpRule[] {
	const rule = (priority: number, table: string): IpRule => ({ priority, family, not: false, action: 'lookup', table });
	// IPv6 has no 32767 "lookup default" rule.
	return family === 4 ? [rule(0, 'local'), rule(32766, 'main'), rule(32767, 'default')] : [rule(0, 'local'), rule(32766, 'main')];
}

// ── validation helpers: every error names the JSON path ─────────────────────────────────────────

type JsonObject = Record<string, unknown>;

function fail(path: string, message: string): never {
	throw new Error(`${path}: ${message}`);
}

function asList(input: unknown, what: string): unknown[] {
	let json = input;
	if (typeof input === 'string') {
		try {
			json = parseJson(input);
		} catch (error) {
			fail(what, (error as Error).message);
		}
	}
	if (!Array.isArray(json)) fail(what, `expected a JSON array, got ${jsonValueText(json)}`);
	return json;
}

function asObject(value: unknown, path: string): JsonObject {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, `expected an object, got ${jsonValueText(value)}`);
	return value as JsonObject;
}

function optString(o: JsonObject, key: string, path: string): string | undefined {
	const value = o[key];
	if (value === undefined) return undefined;
	if (typeof value !== 'string') fail(`${path}.${key}`, `expected a string, got ${jsonValueText(value)}`);
	return value;
}

/** A name-or-number field (table, protocol, scope): ip prints numbers when no name is known. */
function optName(o: JsonObject, key: string, path: string): string | undefined {
	const value = o[key];
	if (typeof value === 'number' && Number.isInteger(value)) return String(value);
	return optString(o, key, path);
}

function optUint(o: JsonObject, key: string, path: string, max = 0xffffffff): number | undefined {
	const value = o[key];
	if (value === undefined) return undefined;
	const number = typeof value === 'string' && /^(0x[0-9a-f]+|\d+)$/i.test(value) ? Number(value) : value;
	if (typeof number !== 'number' || !Number.isInteger(number) || number < 0 || number > max) {
		fail(`${path}.${key}`, `expected an integer 0..${max}, got ${jsonValueText(value)}`);
	}
	return number;
}

function optFlags(o: JsonObject, key: string, path: string): string[] {
	const value = o[key];
	if (value === undefined) return [];
	if (!Array.isArray(value) || value.some((f) => typeof f !== 'string')) fail(`${path}.${key}`, `expected an array of strings, got ${jsonValueText(value)}`);
	return value as string[];
}

function ipField(text: string, path: string, family?: Family): Ip {
	const ip = parseIp(text);
	if (!ip) fail(path, `expected an IP address, got ${jsonValueText(text)}`);
	if (family && ip.family !== family) fail(path, `expected an IPv${family} address, got ${jsonValueText(text)}`);
	return ip;
}

function dsfield(o: JsonObject, key: string, path: string): number | undefined {
	const value = o[key];
	if (typeof value === 'string' && value in DSFIELD_NAMES) return DSFIELD_NAMES[value];
	return optUint(o, key, path, 0xff);
}

/** The gateway as `"gateway": IP` or, for a gateway of the other family, `"via": {family, host}`. */
function gatewayField(o: JsonObject, path: string): Ip | undefined {
	const gateway = optString(o, 'gateway', path);
	if (gateway !== undefined) return ipField(gateway, `${path}.gateway`);
	if (o['via'] === undefined) return undefined;
	const via = asObject(o['via'], `${path}.via`);
	const host = optString(via, 'host', `${path}.via`);
	if (host === undefined) fail(`${path}.via.host`, 'missing');
	return ipField(host, `${path}.via.host`);
}

// ── routes ───────────────────────────────────────────────────────────────────────────────────────

const ZERO: Record<Family, Cidr> = {
	4: parseCidr('0.0.0.0/0')!,
	6: parseCidr('::/0')!,
};

function parseNexthop(value: unknown, path: string): Nexthop {
	const o = asObject(value, path);
	const gateway = gatewayField(o, path);
	const dev = optString(o, 'dev', path);
	const weight = optUint(o, 'weight', path, 256) ?? 1;
	return { ...(gateway && { gateway }), ...(dev !== undefined && { dev }), weight, flags: optFlags(o, 'flags', path) };
}

function parseNexthops(o: JsonObject, path: string): Nexthop[] | undefined {
	const list = o['nexthops'];
	if (list === undefined) return undefined;
	if (!Array.isArray(list)) fail(`${path}.nexthops`, `expected an array, got ${jsonValueText(list)}`);
	return list.map((n, i) => parseNexthop(n, `${path}.nexthops[${i}]`));
}

/**
 * The family of a route whose dst is "default": `ip -j route show table all` mixes both families and
 * prints no family field, so it is read from its own-family addresses ("gateway", not the
 * cross-family "via"), else from the IPv6-only "pref" field.
 */
function inferFamily(o: JsonObject, path: string): Family {
	const hops = (Array.isArray(o['nexthops']) ? o['nexthops'] : []) as JsonObject[];
	const own = [o['prefsrc'], o['gateway'], ...hops.map((hop) => hop?.['gateway'])].find((v) => typeof v === 'string');
	if (typeof own === 'string') return ipField(own, path).family;
	return o['pref'] !== undefined ? 6 : 4;
}

export function parseRoute(value: unknown, path: string, family?: Family): Route {
	const o = asObject(value, path);
	const type = (optString(o, 'type', path) ?? 'unicast') as RouteType;
	if (!ROUTE_TYPES.has(type)) fail(`${path}.type`, `unknown route type ${jsonValueText(o['type'])}`);
	const dstText = optString(o, 'dst', path);
	if (dstText === undefined) fail(`${path}.dst`, 'missing');
	const gateway = gatewayField(o, path);
	const nexthops = parseNexthops(o, path);
	const dst = dstText === 'default' ? ZERO[family ?? inferFamily(o, path)] : parseCidr(dstText);
	if (!dst) fail(`${path}.dst`, `expected a prefix or "default", got ${jsonValueText(dstText)}`);
	if (family && dst.family !== family) fail(`${path}.dst`, `expected an IPv${family} prefix, got ${jsonValueText(dstText)}`);
	const fromText = optString(o, 'from', path);
	const src = fromText === undefined ? undefined : parseCidr(fromText);
	if (fromText !== undefined && (!src || src.family !== dst.family)) fail(`${path}.from`, `expected an IPv${dst.family} prefix, got ${jsonValueText(fromText)}`);
	const prefsrcText = optString(o, 'prefsrc', path);
	const prefsrc = prefsrcText === undefined ? undefined : ipField(prefsrcText, `${path}.prefsrc`, dst.family);
	const dev = optString(o, 'dev', path);
	const protocol = optName(o, 'protocol', path);
	const scope = optName(o, 'scope', path);
	const pref = optString(o, 'pref', path);
	return {
		family: dst.family,
		type,
		dst,
		...(src && { src }),
		table: canonicalTable(optName(o, 'table', path) ?? 'main'),
		...(dev !== undefined && { dev }),
		...(gateway && { gateway }),
		...(prefsrc && { prefsrc }),
		metric: optUint(o, 'metric', path) ?? 0,
		tos: dsfield(o, 'tos', path) ?? 0,
		...(protocol !== undefined && { protocol }),
		...(scope !== undefined && { scope }),
		...(nexthops && { nexthops }),
		...(pref !== undefined && { pref }),
		flags: optFlags(o, 'flags', path),
	};
}

/**
 * Parses `ip -j route show table all` output (a JSON array or its text). Pass the family when the
 * output came from `ip -4`/`ip -6`; otherwise each route's family is read from its addresses.
 */
export function parseRoutes(json: unknown, family?: Family): Route[] {
	return asList(json, 'routes').map((entry, i) => parseRoute(entry, `routes[${i}]`, family));
}

// ── rules ────────────────────────────────────────────────────────────────────────────────────────

function rulePrefix(o: JsonObject, key: 'src' | 'dst', path: string, family: Family | undefined): Cidr | undefined {
	const text = optString(o, key, path);
	if (text === undefined || text === 'all') return undefined;
	const ip = ipField(text, `${path}.${key}`, family);
	const length = optUint(o, `${key}len`, path, ip.family === 4 ? 32 : 128) ?? (ip.family === 4 ? 32 : 128);
	return parseCidr(`${text}/${length}`)!;
}

function portRange(o: JsonObject, key: string, path: string, max: number): PortRange | undefined {
	const single = optUint(o, key, path, max);
	if (single !== undefined) return { start: single, end: single };
	const start = optUint(o, `${key}_start`, path, max);
	const end = optUint(o, `${key}_end`, path, max);
	if (start === undefined && end === undefined) return undefined;
	if (start === undefined || end === undefined || end < start) fail(`${path}.${key}_start`, `bad range ${jsonValueText(start)}-${jsonValueText(end)}`);
	return { start, end };
}

function ipprotoField(o: JsonObject, path: string): number | undefined {
	const value = o['ipproto'];
	if (value === undefined) return undefined;
	if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 255) return value;
	if (typeof value === 'string') {
		const named = PROTOCOL_NUMBERS[value];
		if (named !== undefined) return named;
		const numbered = /^(?:ipproto-|u8 )?(\d{1,3})$/.exec(value);
		if (numbered && Number(numbered[1]) <= 255) return Number(numbered[1]);
	}
	fail(`${path}.ipproto`, `unknown protocol ${jsonValueText(value)}`);
}

export function parseRule(value: unknown, path: string, family: Family = 4): IpRule {
	const o = asObject(value, path);
	const priority = optUint(o, 'priority', path) ?? 0;
	const from = rulePrefix(o, 'src', path, family);
	const to = rulePrefix(o, 'dst', path, family);
	const rule: IpRule = { priority, family, not: 'not' in o, action: 'lookup' };
	if (from) rule.from = from;
	if (to) rule.to = to;
	const iif = optString(o, 'iif', path);
	if (iif !== undefined) rule.iif = iif;
	if ('iif_detached' in o) rule.iifDetached = true;
	const oif = optString(o, 'oif', path);
	if (oif !== undefined) rule.oif = oif;
	if ('oif_detached' in o) rule.oifDetached = true;
	const fwmark = optUint(o, 'fwmark', path);
	const fwmask = optUint(o, 'fwmask', path);
	if (fwmark !== undefined || fwmask !== undefined) {
		rule.fwmark = fwmark ?? 0;
		// ip prints the mask only when it is not 0xffffffff.
		rule.fwmask = fwmask ?? 0xffffffff;
	}
	const tos = dsfield(o, 'tos', path);
	if (tos) rule.tos = tos;
	if (o['dscp'] !== undefined) {
		// Newer iproute2 prints the DSCP selector by name (rt_dsfield, stored as a TOS byte) or as a number.
		const name = o['dscp'];
		const dscp = typeof name === 'string' && name in DSFIELD_NAMES ? DSFIELD_NAMES[name]! >> 2 : optUint(o, 'dscp', path, 63)!;
		rule.tos = dscp << 2;
		rule.dscpFull = true;
	}
	const ipproto = ipprotoField(o, path);
	if (ipproto !== undefined) rule.ipproto = ipproto;
	const sport = portRange(o, 'sport', path, 0xffff);
	if (sport) rule.sport = sport;
	const dport = portRange(o, 'dport', path, 0xffff);
	if (dport) rule.dport = dport;
	const uidrange = portRange(o, 'uid', path, 0xffffffff);
	if (uidrange) rule.uidrange = uidrange;
	const suppress = optUint(o, 'suppress_prefixlen', path, 128);
	if (suppress !== undefined) rule.suppress_prefixlength = suppress;
	const ifgroup = optName(o, 'suppress_ifgroup', path);
	if (ifgroup !== undefined) rule.suppress_ifgroup = ifgroup;
	if ('l3mdev' in o) rule.unsupported = 'l3mdev (VRF) rules are not simulated';
	else if ('tun_id' in o) rule.unsupported = 'tun_id needs tunnel metadata the simulator does not have';
	else if ('flowlabel' in o) rule.unsupported = 'IPv6 flow label selectors are not simulated';

	const table = optName(o, 'table', path);
	const target = optUint(o, 'goto', path);
	const action = optString(o, 'action', path);
	if (table !== undefined) rule.table = canonicalTable(table);
	else if (target !== undefined) {
		rule.action = 'goto';
		rule.goto = target;
	} else if ('nop' in o) rule.action = 'nop';
	else if (action === 'blackhole' || action === 'unreachable' || action === 'prohibit') rule.action = action;
	else fail(path, `no action (expected "table", "goto", "nop" or "action" blackhole|unreachable|prohibit, got ${jsonValueText(action)})`);
	return rule;
}

/** Parses `ip -j rule` (family 4) or `ip -6 -j rule` output (a JSON array or its text). */
export function parseRules(json: unknown, family: Family = 4): IpRule[] {
	return asList(json, 'rules').map((entry, i) => parseRule(entry, `rules[${i}]`, family));
}

// ── addresses ────────────────────────────────────────────────────────────────────────────────────

/** Parses `ip -j addr` output into the interface addresses the source-address selection needs. */
export function parseAddresses(json: unknown): LocalAddress[] {
	const addresses: LocalAddress[] = [];
	asList(json, 'links').forEach((entry, i) => {
		const path = `links[${i}]`;
		const link = asObject(entry, path);
		const dev = optString(link, 'ifname', path);
		if (dev === undefined) fail(`${path}.ifname`, 'missing');
		const info = link['addr_info'] ?? [];
		if (!Array.isArray(info)) fail(`${path}.addr_info`, `expected an array, got ${jsonValueText(info)}`);
		info.forEach((item, j) => {
			const at = `${path}.addr_info[${j}]`;
			const a = asObject(item, at);
			const kind = optString(a, 'family', at);
			if (kind !== 'inet' && kind !== 'inet6') return;
			const local = optString(a, 'local', at);
			if (local === undefined) fail(`${at}.local`, 'missing');
			const address: LocalAddress = { ip: ipField(local, `${at}.local`, kind === 'inet' ? 4 : 6), dev };
			const prefixlen = optUint(a, 'prefixlen', at, kind === 'inet' ? 32 : 128);
			if (prefixlen !== undefined) address.prefixlen = prefixlen;
			const scope = optName(a, 'scope', at);
			if (scope !== undefined) address.scope = scope;
			for (const flag of ['secondary', 'tentative', 'deprecated', 'optimistic', 'temporary'] as const) {
				if (a[flag] === true) address[flag] = true;
			}
			addresses.push(address);
		});
	});
	return addresses;
}

/** Interfaces that are administratively down, from `ip -j addr` or `ip -j link` output. */
export function parseDownLinks(json: unknown): string[] {
	return asList(json, 'links').flatMap((entry, i) => {
		const link = asObject(entry, `links[${i}]`);
		const name = optString(link, 'ifname', `links[${i}]`);
		if (name === undefined) fail(`links[${i}].ifname`, 'missing');
		return optFlags(link, 'flags', `links[${i}]`).includes('UP') ? [] : [name];
	});
}

// ── text forms for explanations ──────────────────────────────────────────────────────────────────

const hex = (n: number): string => `0x${n.toString(16)}`;
const range = (r: PortRange): string => (r.start === r.end ? `${r.start}` : `${r.start}-${r.end}`);

/** A rule the way `ip rule` prints it, without the priority. */
export function formatRule(rule: IpRule): string {
	const parts: string[] = [];
	if (rule.not) parts.push('not');
	parts.push(`from ${rule.from ? formatCidr(rule.from) : 'all'}`);
	if (rule.to) parts.push(`to ${formatCidr(rule.to)}`);
	if (rule.tos) parts.push(`${rule.dscpFull ? 'dscp' : 'tos'} ${rule.dscpFull ? rule.tos >> 2 : hex(rule.tos)}`);
	if (rule.fwmark !== undefined) parts.push(`fwmark ${hex(rule.fwmark)}${rule.fwmask === 0xffffffff ? '' : `/${hex(rule.fwmask!)}`}`);
	if (rule.iif) parts.push(`iif ${rule.iif}${rule.iifDetached ? ' [detached]' : ''}`);
	if (rule.oif) parts.push(`oif ${rule.oif}${rule.oifDetached ? ' [detached]' : ''}`);
	if (rule.uidrange) parts.push(`uidrange ${rule.uidrange.start}-${rule.uidrange.end}`);
	if (rule.ipproto !== undefined) parts.push(`ipproto ${PROTOCOL_NAMES[rule.ipproto] ?? rule.ipproto}`);
	if (rule.sport) parts.push(`sport ${range(rule.sport)}`);
	if (rule.dport) parts.push(`dport ${range(rule.dport)}`);
	if (rule.action === 'lookup') parts.push(`lookup ${rule.table}`);
	else if (rule.action === 'goto') parts.push(`goto ${rule.goto}`);
	else parts.push(rule.action);
	if (rule.suppress_prefixlength !== undefined) parts.push(`suppress_prefixlength ${rule.suppress_prefixlength}`);
	if (rule.suppress_ifgroup !== undefined) parts.push(`suppress_ifgroup ${rule.suppress_ifgroup}`);
	return parts.join(' ');
}

function formatHop(gateway: Ip | undefined, dev: string | undefined): string {
	return [gateway && `via ${formatIp(gateway)}`, dev && `dev ${dev}`].filter(Boolean).join(' ');
}

/** A route the way `ip route` prints it (without the table). */
export function formatRoute(route: Route): string {
	const zero = route.dst.prefix === 0;
	const parts = [route.type === 'unicast' ? '' : route.type, zero ? 'default' : formatCidr(route.dst)];
	if (route.src) parts.push(`from ${formatCidr(route.src)}`);
	if (route.tos) parts.push(`tos ${hex(route.tos)}`);
	parts.push(formatHop(route.gateway, route.dev));
	if (route.prefsrc) parts.push(`src ${formatIp(route.prefsrc)}`);
	if (route.metric) parts.push(`metric ${route.metric}`);
	for (const hop of route.nexthops ?? []) parts.push(`nexthop ${formatHop(hop.gateway, hop.dev)} weight ${hop.weight}`);
	return parts.filter(Boolean).join(' ');
}
