import { cidrContains, type Cidr, parseCidr } from '../../packet/address.js';
import { type Packet, PROTOCOL_NUMBERS } from '../../packet/packet.js';
import type { EvalEnv, MatchExtension, MatchVerdict, OptionUse, ParseContext } from '../extension.js';
import { readsThrough } from './extension-kit.js';

const STATES = ['INVALID', 'NEW', 'ESTABLISHED', 'RELATED', 'UNTRACKED', 'SNAT', 'DNAT'] as const;
const STATUSES = ['NONE', 'EXPECTED', 'SEEN_REPLY', 'ASSURED', 'CONFIRMED'] as const;

type Check = (packet: Packet, env: EvalEnv) => MatchVerdict;

/** The states a packet is in, as conntrack classifies it (SNAT/DNAT are virtual states). */
export function packetStates(packet: Packet): Set<string> {
	const states = new Set<string>([packet.ctState]);
	if (packet.ctState !== 'UNTRACKED' && packet.ctState !== 'INVALID') {
		if (packet.ct.snat) states.add('SNAT');
		if (packet.ct.dnat) states.add('DNAT');
	}
	return states;
}

export function parseStateList(use: OptionUse, ctx: ParseContext, allowed: readonly string[]): string[] {
	const token = ctx.arg(use, `a list of states (${allowed.join(',')})`);
	const list = token.text.split(',');
	for (const state of list) if (!allowed.includes(state)) ctx.fail(token, `unknown state "${state}": expected ${allowed.join(', ')}`);
	return list;
}

export function checkStates(wanted: readonly string[], negated: boolean, packet: Packet, env: EvalEnv): MatchVerdict {
	const states = packetStates(packet);
	const inside = wanted.some((s) => states.has(s));
	if (inside !== negated) return null;
	return `conntrack state ${[...states].join(',')} is ${negated ? '' : 'not '}in ${wanted.join(',')}${negated ? ' (negated)' : ''}`;
}

function addressCheck(use: OptionUse, ctx: ParseContext, label: string, pick: (p: Packet) => Packet['src']): Check {
	const token = ctx.arg(use, 'an address or network');
	const cidr: Cidr = parseCidr(token.text) ?? ctx.fail(token, `expected an address or network, got "${token.text}"`);
	return (packet) => {
		const ip = pick(packet);
		if (cidrContains(cidr, ip) !== use.negated) return null;
		return `${label} ${use.negated ? 'is' : 'is not'} in ${token.text}`;
	};
}

function portCheck(use: OptionUse, ctx: ParseContext, label: string, pick: (p: Packet) => number | undefined): Check {
	const { from, to } = ctx.range(ctx.arg(use, 'a port or range'), 'port', 0, 65535);
	return (packet) => {
		const port = pick(packet);
		const inside = port !== undefined && port >= from && port <= to;
		if (inside !== use.negated) return null;
		return `${label} ${port ?? 'none'} ${use.negated ? 'is' : 'is not'} in ${from === to ? from : `${from}:${to}`}`;
	};
}

export const conntrack: MatchExtension<Check[]> = {
	name: 'conntrack',
	reads: readsThrough({
		tuple: ['--ctorigsrc', '--ctorigdst', '--ctreplsrc', '--ctrepldst', '--ctorigsrcport', '--ctorigdstport', '--ctreplsrcport', '--ctrepldstport', '--ctexpire'],
		status: ['--ctstatus'],
	}),
	parse(uses, ctx) {
		return uses.map((use): Check => {
			switch (use.name) {
				case '--ctstate': {
					const list = parseStateList(use, ctx, STATES);
					return (packet, env) => checkStates(list, use.negated, packet, env);
				}
				case '--ctstatus': {
					const list = parseStateList(use, ctx, STATUSES);
					return (packet, env) => {
						const c = packet.ct;
						if (packet.ctState === 'UNTRACKED' || packet.ctState === 'INVALID') return `the packet has no connection (${packet.ctState})`;
						if (!packet.ctStateGiven || packet.ctState !== 'NEW') env.assume(`conntrack status of the connection derived from state ${packet.ctState}`);
						const has = new Set<string>();
						if (c.seenReply) has.add('SEEN_REPLY');
						if (c.assured) has.add('ASSURED');
						if (c.confirmed) has.add('CONFIRMED');
						if (has.size === 0) has.add('NONE');
						const inside = list.some((s) => has.has(s));
						if (inside !== use.negated) return null;
						return `conntrack status ${[...has].join(',')} is ${use.negated ? '' : 'not '}in ${list.join(',')}`;
					};
				}
				case '--ctproto': {
					const token = ctx.arg(use, 'a protocol');
					const proto = /^\d+$/.test(token.text) ? Number(token.text) : PROTOCOL_NUMBERS[token.text.toLowerCase()];
					if (proto === undefined) ctx.fail(token, `unknown protocol "${token.text}"`);
					return (packet) => ((packet.proto === proto) !== use.negated ? null : `protocol ${packet.proto} ${use.negated ? 'is' : 'is not'} ${token.text}`);
				}
				case '--ctorigsrc': return addressCheck(use, ctx, 'original source', (p) => p.ct.origSrc);
				case '--ctorigdst': return addressCheck(use, ctx, 'original destination', (p) => p.ct.origDst);
				case '--ctreplsrc': return addressCheck(use, ctx, 'reply source', (p) => p.ct.replSrc);
				case '--ctrepldst': return addressCheck(use, ctx, 'reply destination', (p) => p.ct.replDst);
				case '--ctorigsrcport': return portCheck(use, ctx, 'original source port', (p) => p.ct.origSport);
				case '--ctorigdstport': return portCheck(use, ctx, 'original destination port', (p) => p.ct.origDport);
				case '--ctreplsrcport': return portCheck(use, ctx, 'reply source port', (p) => p.ct.replSport);
				case '--ctrepldstport': return portCheck(use, ctx, 'reply destination port', (p) => p.ct.replDport);
				case '--ctdir': {
					const token = ctx.arg(use, 'ORIGINAL or REPLY');
					if (token.text !== 'ORIGINAL' && token.text !== 'REPLY') ctx.fail(token, `expected ORIGINAL or REPLY, got "${token.text}"`);
					const reply = token.text === 'REPLY';
					return (packet) => (packet.ct.reply === reply ? null : `the packet travels in the ${packet.ct.reply ? 'REPLY' : 'ORIGINAL'} direction`);
				}
				case '--ctexpire': {
					const { from, to } = ctx.range(ctx.arg(use, 'seconds or a range'), 'seconds', 0, 0xffffffff);
					return (_packet, env) => {
						env.assume(`the connection's remaining lifetime is within ${from}:${to} s (--ctexpire)`);
						return use.negated ? 'remaining lifetime assumed in range (negated)' : null;
					};
				}
				default:
					return ctx.unknown('conntrack', use);
			}
		});
	},
	evaluate(checks, packet, env) {
		for (const check of checks) {
			const why = check(packet, env);
			if (why) return why;
		}
		return null;
	},
};
