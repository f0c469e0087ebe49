import { formatIp, type Ip, parseIp } from '../../packet/address.js';
import type { EvalEnv, OptionUse, ParseContext } from '../extension.js';

/** Ports can only be translated for these (iptables: "Need TCP, UDP, SCTP or DCCP with port specification"). */
export const PORT_PROTOCOLS: readonly string[] = ['tcp', 'udp', 'sctp', 'dccp', 'udplite'];

/** `addr[-addr][:port[-port]]` as DNAT/SNAT take it (IPv6 in brackets when a port follows). */
export interface NatRange {
	readonly from?: Ip;
	readonly to?: Ip;
	readonly portFrom?: number;
	readonly portTo?: number;
	readonly text: string;
}

export function parseNatRange(use: OptionUse, ctx: ParseContext): NatRange {
	const token = ctx.arg(use, 'addr[-addr][:port[-port]]');
	let text = token.text;
	let portText: string | undefined;
	const bracket = /^\[([^\]]+)\](?::(.+))?$/.exec(text);
	if (bracket) {
		text = bracket[1]!;
		portText = bracket[2];
	} else if (ctx.family === 4 && text.includes(':')) {
		[text, portText] = text.split(':', 2) as [string, string];
	}
	const range: { -readonly [K in keyof NatRange]: NatRange[K] } = { text: token.text };
	if (text !== '') {
		const [a, b] = text.split('-');
		const from = parseIp(a!);
		const to = b === undefined ? from : parseIp(b);
		if (!from || !to || from.family !== ctx.family || to.family !== ctx.family) ctx.fail(token, `expected an IPv${ctx.family} address or range in "${token.text}"`);
		range.from = from;
		range.to = to;
	}
	if (portText !== undefined) {
		const [a, b] = portText.split('-');
		range.portFrom = ctx.integer({ ...token, text: a! }, 'port', 0, 65535);
		range.portTo = b === undefined ? range.portFrom : ctx.integer({ ...token, text: b }, 'port', 0, 65535);
		if (range.portTo < range.portFrom) ctx.fail(token, `port range ${portText} is reversed`);
	}
	return range;
}

/** `--to-ports N[-M]` of MASQUERADE and REDIRECT. */
function parsePortsOption(use: OptionUse, ctx: ParseContext): { from: number; to: number } {
	const token = ctx.arg(use, 'a port or range N[-M]');
	const [a, b] = token.text.split('-');
	const from = ctx.integer({ ...token, text: a! }, 'port', 0, 65535);
	const to = b === undefined ? from : ctx.integer({ ...token, text: b }, 'port', 0, 65535);
	return { from, to };
}

/** The ports MASQUERADE or REDIRECT rewrites to, when given. */
export interface ToPorts {
	ports?: { from: number; to: number };
}

/** The options of MASQUERADE and REDIRECT: `--to-ports` (only with a protocol that has ports) and `flags`, which take no argument. */
export function parseToPorts(target: string, flags: readonly string[], uses: readonly OptionUse[], ctx: ParseContext): ToPorts {
	const options: ToPorts = {};
	for (const use of uses) {
		if (use.name === '--to-ports') {
			ctx.requireProtocol(PORT_PROTOCOLS, 'Need TCP, UDP, SCTP or DCCP with port specification');
			options.ports = parsePortsOption(use, ctx);
		} else if (flags.includes(use.name)) ctx.noArgs(use);
		else ctx.unknown(target, use);
	}
	return options;
}

/**
 * The address and port a range gives this packet. The kernel keeps the original port when it lies in the
 * range and picks an address by hashing; netsleuth takes the first address and says so when there is a choice.
 */
export function choose(range: NatRange, originalPort: number | undefined, env: EvalEnv): { ip?: Ip; port?: number } {
	const result: { ip?: Ip; port?: number } = {};
	if (range.from) {
		result.ip = range.from;
		if (range.to && formatIp(range.to) !== formatIp(range.from)) env.assume(`NAT picks one address of ${formatIp(range.from)}-${formatIp(range.to)}; shown: the first`);
	}
	if (range.portFrom !== undefined && originalPort !== undefined) {
		const keep = originalPort >= range.portFrom && originalPort <= range.portTo!;
		result.port = keep ? originalPort : range.portFrom;
		if (!keep && range.portTo !== range.portFrom) env.assume(`NAT picks a free port of ${range.portFrom}-${range.portTo}; shown: the first`);
	}
	return result;
}
