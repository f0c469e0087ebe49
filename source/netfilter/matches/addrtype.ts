import { cidrContains, formatIp, type Ip, ipEquals, parseCidr } from '../../packet/address.js';
import type { EvalEnv, HostFacts, MatchExtension, MatchVerdict, OptionUse, ParseContext } from '../extension.js';
import { hostCidr, readOptions } from './extension-kit.js';

/** Route types in rtnetlink order: the bit of each in the kernel's mask is 1 << index. */
export const ADDRESS_TYPES = ['UNSPEC', 'UNICAST', 'LOCAL', 'BROADCAST', 'ANYCAST', 'MULTICAST', 'BLACKHOLE', 'UNREACHABLE', 'PROHIBIT', 'THROW', 'NAT', 'XRESOLVE'] as const;
export type AddressType = (typeof ADDRESS_TYPES)[number];

/** Types only a route other than the kernel's own local and broadcast routes can give an address. */
const ROUTE_TYPES: readonly AddressType[] = ['ANYCAST', 'BLACKHOLE', 'UNREACHABLE', 'PROHIBIT', 'THROW', 'NAT', 'XRESOLVE'];
/** What ip6tables' addrtype accepts (the kernel refuses BROADCAST, BLACKHOLE, PROHIBIT and above for IPv6). */
const IPV6_TYPES: readonly AddressType[] = ['UNSPEC', 'UNICAST', 'LOCAL', 'ANYCAST', 'MULTICAST', 'UNREACHABLE'];

const ZERONET = parseCidr('0.0.0.0/8')!;
const MULTICAST4 = parseCidr('224.0.0.0/4')!;
const LOOPBACK4 = parseCidr('127.0.0.0/8')!;
const MULTICAST6 = parseCidr('ff00::/8')!;
const MAPPED6 = parseCidr('::ffff:0:0/96')!;
const LOOPBACK6 = parseCidr('::1/128')!;
const UNSPEC6 = parseCidr('::/128')!;

/** The answer to "what type is this address". */
export interface TypeAnswer {
	readonly type: AddressType;
	/** The device of the local-table route that gave the type (lo for 127/8). */
	readonly dev?: string;
	/** The host's addresses of that family are unknown: UNICAST is an assumption. */
	readonly unknownHost?: true;
}

// The answers that name no device, made once (a replay asks for every new connection).
const BROADCAST_ANSWER: TypeAnswer = { type: 'BROADCAST' };
const MULTICAST_ANSWER: TypeAnswer = { type: 'MULTICAST' };
const UNICAST_ANSWER: TypeAnswer = { type: 'UNICAST' };
const UNKNOWN_HOST_ANSWER: TypeAnswer = { type: 'UNICAST', unknownHost: true };
/** What a check that does not match says when no reason is read (EvalEnv.quiet). */
const NOT_OF_TYPE = 'address type not matched';

/**
 * The type of an IPv4 address as inet_dev_addr_type() computes it: 0/8 and 255.255.255.255 are
 * BROADCAST, 224/4 MULTICAST, otherwise the route of the local table (the kernel's local and broadcast
 * routes of the host's addresses, 127/8 on lo) or UNICAST when none covers it. With `dev`, a route
 * through another device gives UNICAST.
 */
export function ipv4AddressType(ip: Ip, host: HostFacts, dev?: string): TypeAnswer {
	if (cidrContains(ZERONET, ip) || ip.words[0] === 0xffffffff) return BROADCAST_ANSWER;
	if (cidrContains(MULTICAST4, ip)) return MULTICAST_ANSWER;
	const onDev = (routeDev: string, type: AddressType): TypeAnswer => (dev === undefined || dev === routeDev ? { type, dev: routeDev } : UNICAST_ANSWER);
	const all = host.addresses;
	if (!all.some((a) => a.ip.family === 4)) return cidrContains(LOOPBACK4, ip) ? onDev('lo', 'LOCAL') : UNKNOWN_HOST_ANSWER;
	const mine = all.filter((a) => a.ip.family === 4);
	const local = mine.find((a) => ipEquals(a.ip, ip));
	if (local) return onDev(local.dev, 'LOCAL');
	const loopback = mine.find((a) => a.dev === 'lo' && cidrContains(hostCidr(a), ip));
	if (loopback) return onDev('lo', 'LOCAL');
	if (cidrContains(LOOPBACK4, ip)) return onDev('lo', 'LOCAL');
	for (const a of mine) {
		if (a.broadcast && ipEquals(a.broadcast, ip)) return onDev(a.dev, 'BROADCAST');
		// The kernel adds a broadcast route for the subnet's last address when the prefix is below 31.
		if (a.prefix < 31 && a.dev !== 'lo') {
			const net = hostCidr(a);
			const last = (net.words[0]! | ~net.mask[0]!) >>> 0;
			if (ip.words[0] === last) return onDev(a.dev, 'BROADCAST');
		}
	}
	return UNICAST_ANSWER;
}

/** The IPv6 address classes ipv6_addr_type() gives (several may hold at once), without route lookups. */
function ipv6Classes(ip: Ip): { multicast: boolean; unicast: boolean; unspec: boolean } {
	const unspec = cidrContains(UNSPEC6, ip);
	const multicast = cidrContains(MULTICAST6, ip);
	return { multicast, unspec, unicast: !unspec && !multicast && !cidrContains(MAPPED6, ip) };
}

function ipv6IsLocal(ip: Ip, host: HostFacts, dev?: string): { local: boolean; assumption?: string } {
	const mine = host.addresses.filter((a) => a.ip.family === 6);
	const found = mine.find((a) => ipEquals(a.ip, ip));
	if (found) return { local: dev === undefined || found.dev === dev };
	if (cidrContains(LOOPBACK6, ip)) return { local: dev === undefined || dev === 'lo' };
	if (mine.length === 0) return { local: false, assumption: `the host's IPv6 addresses are unknown: ${formatIp(ip)} assumed not to be one of them` };
	return { local: false };
}

interface TypeCheck {
	readonly types: readonly AddressType[];
	/** The types only a route could give (ROUTE_TYPES) among them. */
	readonly routeTypes: readonly AddressType[];
	readonly negated: boolean;
	readonly text: string;
}

export interface AddrtypeOptions {
	readonly src?: TypeCheck;
	readonly dst?: TypeCheck;
	readonly limit?: 'in' | 'out';
}

function parseTypes(use: OptionUse, ctx: ParseContext): TypeCheck {
	const token = use.args[0]!;
	const types: AddressType[] = [];
	for (const part of token.text.split(',')) {
		const type = ADDRESS_TYPES.find((t) => t === part.toUpperCase());
		if (!type) ctx.fail(token, `unknown address type "${part}": expected ${ADDRESS_TYPES.join(', ')}`);
		if (ctx.family === 6 && !IPV6_TYPES.includes(type)) ctx.fail(token, `ip6tables' addrtype cannot match ${type}: expected ${IPV6_TYPES.join(', ')}`);
		types.push(type);
	}
	return { types, routeTypes: types.filter((t) => ROUTE_TYPES.includes(t)), negated: use.negated, text: token.text };
}

function checkV4(check: TypeCheck, ip: Ip, what: string, dev: string | undefined, env: EvalEnv): MatchVerdict {
	const answer = ipv4AddressType(ip, env.host, dev);
	const inside = check.types.includes(answer.type);
	if (env.quiet) return inside !== check.negated ? null : NOT_OF_TYPE;
	if (answer.unknownHost) env.assume(`the host's IPv4 addresses are unknown: ${formatIp(ip)} assumed not to be one of them (UNICAST)`);
	const routeTypes = check.routeTypes;
	if (routeTypes.length && (answer.type === 'UNICAST' || answer.type === 'LOCAL')) {
		env.assume(`the local routing table holds only the kernel's routes for the host's addresses: ${formatIp(ip)} is not ${routeTypes.join('/')}`);
	}
	if (inside !== check.negated) return null;
	const scope = dev ? ` (routes through ${dev} only)` : '';
	return check.negated
		? `${what} ${formatIp(ip)} is ${answer.type}${scope}, which ! ${check.text} excludes`
		: `${what} ${formatIp(ip)} is ${answer.type}${scope}, not ${check.text}`;
}

/** xt_addrtype's IPv6 test: every class named must hold, and LOCAL/ANYCAST/UNREACHABLE come from routes. */
function checkV6(check: TypeCheck, ip: Ip, what: string, dev: string | undefined, env: EvalEnv): MatchVerdict {
	const classes = ipv6Classes(ip);
	const failed: string[] = [];
	if (check.types.includes('MULTICAST') && !classes.multicast) failed.push('not MULTICAST');
	if (check.types.includes('UNICAST') && !classes.unicast) failed.push('not UNICAST');
	if (check.types.includes('UNSPEC') && !classes.unspec) failed.push('not UNSPEC (::)');
	let holds = failed.length === 0;
	if (holds && check.types.some((t) => t === 'LOCAL' || t === 'ANYCAST' || t === 'UNREACHABLE')) {
		// The kernel answers from a route lookup: the bits of the mask that the route has.
		const found: string[] = [];
		if (check.types.includes('LOCAL')) {
			const local = ipv6IsLocal(ip, env.host, dev);
			if (local.assumption) env.assume(local.assumption);
			if (local.local) found.push('LOCAL');
		}
		if (check.types.includes('ANYCAST') || check.types.includes('UNREACHABLE')) {
			env.assume(`routes are not consulted for ip6tables addrtype: ${formatIp(ip)} assumed routable and not an anycast address`);
		}
		holds = found.length > 0;
		if (!holds) failed.push(`not ${check.types.filter((t) => t === 'LOCAL' || t === 'ANYCAST' || t === 'UNREACHABLE').join('/')}`);
	}
	if (holds !== check.negated) return null;
	return holds
		? `${what} ${formatIp(ip)} is ${check.text}, which ! ${check.text} excludes`
		: `${what} ${formatIp(ip)} is ${failed.join(', ')}`;
}

/** -m addrtype: the route type of the source or destination address (xt_addrtype revision 1). */
export const addrtype: MatchExtension<AddrtypeOptions> = {
	name: 'addrtype',
	reads: {},
	parse(uses, ctx) {
		const o: { src?: TypeCheck; dst?: TypeCheck; limit?: 'in' | 'out' } = {};
		for (const use of readOptions('addrtype', uses, ctx, {
			'--src-type': { args: 1, negatable: true },
			'--dst-type': { args: 1, negatable: true },
			'--limit-iface-in': { args: 0 },
			'--limit-iface-out': { args: 0 },
		})) {
			switch (use.name) {
				case '--src-type': o.src = parseTypes(use, ctx); break;
				case '--dst-type': o.dst = parseTypes(use, ctx); break;
				default: {
					const limit = use.name === '--limit-iface-in' ? 'in' : 'out';
					if (o.limit && o.limit !== limit) ctx.fail(use.token, 'addrtype takes --limit-iface-in or --limit-iface-out, not both');
					o.limit = limit;
				}
			}
		}
		if (!o.src && !o.dst) ctx.fail(ctx.anchor, 'addrtype needs --src-type or --dst-type');
		return o;
	},
	evaluate(o, packet, env) {
		let dev: string | undefined;
		if (o.limit === 'in') {
			if (env.hook === 'OUTPUT' || env.hook === 'POSTROUTING') return `--limit-iface-in is not valid in ${env.hook} (the kernel refuses the rule there)`;
			dev = packet.in;
		} else if (o.limit === 'out') {
			if (env.hook === 'PREROUTING' || env.hook === 'INPUT') return `--limit-iface-out is not valid in ${env.hook} (the kernel refuses the rule there)`;
			dev = packet.out;
		}
		const check = packet.family === 4 ? checkV4 : checkV6;
		if (o.src) {
			const why = check(o.src, packet.src, 'source', dev, env);
			if (why) return why;
		}
		if (o.dst) return check(o.dst, packet.dst, 'destination', dev, env);
		return null;
	},
};
