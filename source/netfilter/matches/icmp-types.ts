import type { MatchExtension, OptionUse, ParseContext } from '../extension.js';

/** A type with a code range: a name without a code matches every code of its type. */
export interface IcmpTypeMatch {
	readonly type: number;
	readonly codeFrom: number;
	readonly codeTo: number;
	readonly negated: boolean;
	readonly text: string;
}

type NameTable = Readonly<Record<string, readonly [number, number?]>>;

export const ICMP_NAMES: NameTable = {
	any: [255], 'echo-reply': [0], pong: [0], 'destination-unreachable': [3], 'network-unreachable': [3, 0],
	'host-unreachable': [3, 1], 'protocol-unreachable': [3, 2], 'port-unreachable': [3, 3], 'fragmentation-needed': [3, 4],
	'source-route-failed': [3, 5], 'network-unknown': [3, 6], 'host-unknown': [3, 7], 'network-prohibited': [3, 9],
	'host-prohibited': [3, 10], 'TOS-network-unreachable': [3, 11], 'TOS-host-unreachable': [3, 12],
	'communication-prohibited': [3, 13], 'host-precedence-violation': [3, 14], 'precedence-cutoff': [3, 15],
	'source-quench': [4], redirect: [5], 'network-redirect': [5, 0], 'host-redirect': [5, 1], 'TOS-network-redirect': [5, 2],
	'TOS-host-redirect': [5, 3], 'echo-request': [8], ping: [8], 'router-advertisement': [9], 'router-solicitation': [10],
	'time-exceeded': [11], 'ttl-exceeded': [11], 'ttl-zero-during-transit': [11, 0], 'ttl-zero-during-reassembly': [11, 1],
	'parameter-problem': [12], 'ip-header-bad': [12, 0], 'required-option-missing': [12, 1], 'timestamp-request': [13],
	'timestamp-reply': [14], 'address-mask-request': [17], 'address-mask-reply': [18],
};

export const ICMP6_NAMES: NameTable = {
	'destination-unreachable': [1], 'no-route': [1, 0], 'communication-prohibited': [1, 1], 'beyond-scope': [1, 2],
	'address-unreachable': [1, 3], 'port-unreachable': [1, 4], 'failed-policy': [1, 5], 'reject-route': [1, 6],
	'packet-too-big': [2], 'time-exceeded': [3], 'ttl-exceeded': [3], 'ttl-zero-during-transit': [3, 0],
	'ttl-zero-during-reassembly': [3, 1], 'parameter-problem': [4], 'bad-header': [4, 0], 'unknown-header-type': [4, 1],
	'unknown-option': [4, 2], 'echo-request': [128], ping: [128], 'echo-reply': [129], pong: [129],
	'mld-listener-query': [130], 'mld-listener-report': [131], 'mld-listener-done': [132], 'mld-listener-reduction': [132],
	'router-solicitation': [133], 'router-advertisement': [134], 'neighbour-solicitation': [135], 'neighbor-solicitation': [135],
	'neighbour-advertisement': [136], 'neighbor-advertisement': [136], redirect: [137],
};

function parseIcmpType(use: OptionUse, ctx: ParseContext, names: NameTable): IcmpTypeMatch {
	const token = ctx.arg(use, 'an ICMP type name or number[/code]');
	const named = names[token.text] ?? names[token.text.toLowerCase()];
	if (named) {
		const [type, code] = named;
		return { type, codeFrom: code ?? 0, codeTo: code ?? 255, negated: use.negated, text: token.text };
	}
	const m = /^(\d+)(?:\/(\d+))?$/.exec(token.text);
	if (!m) ctx.fail(token, `unknown ICMP type "${token.text}"`);
	const type = ctx.integer({ ...token, text: m[1]! }, 'ICMP type', 0, 255);
	const code = m[2] === undefined ? undefined : ctx.integer({ ...token, text: m[2] }, 'ICMP code', 0, 255);
	return { type, codeFrom: code ?? 0, codeTo: code ?? 255, negated: use.negated, text: token.text };
}

function checkIcmp(match: IcmpTypeMatch, type: number | undefined, code: number | undefined, label: string): string | null {
	if (type === undefined) return `the ${label} packet's type is unknown`;
	const c = code ?? 0;
	const inside = match.type === 255 || (type === match.type && c >= match.codeFrom && c <= match.codeTo);
	if (inside !== match.negated) return null;
	return `${label} type ${type} code ${c} ${match.negated ? 'is' : 'is not'} ${match.text}${match.negated ? ' (negated)' : ''}`;
}

/** Builds the icmp (IPv4) or icmp6 match: one option, a type. */
export function icmpExtension(name: string, option: string, proto: number, names: NameTable, label: string): MatchExtension<IcmpTypeMatch | undefined> {
	return {
		name,
		reads: { icmp: true },
		parse(uses, ctx) {
			ctx.requireProtocol([proto === 1 ? 'icmp' : 'icmpv6'], `the ${name} match needs -p ${proto === 1 ? 'icmp' : 'icmpv6'}`);
			let match: IcmpTypeMatch | undefined;
			for (const use of uses) {
				if (use.name !== option) ctx.unknown(name, use);
				match = parseIcmpType(use, ctx, names);
			}
			return match;
		},
		evaluate(match, packet) {
			if (packet.proto !== proto) return `not an ${label} packet`;
			if (packet.fragment) return `a non-first fragment carries no ${label} header`;
			return match ? checkIcmp(match, packet.icmpType, packet.icmpCode, label) : null;
		},
	};
}
