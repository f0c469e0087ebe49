import { type Packet, TCP_FLAGS } from '../../packet/packet.js';
import type { TargetExtension } from '../extension.js';

/**
 * The reply types in the order libipt_REJECT / libip6t_REJECT try them, each with its short alias. iptables
 * takes any case-insensitive prefix of either and picks the first that fits ("tcp" is tcp-reset, "icmp-host"
 * icmp-host-unreachable, an empty word the first entry), then saves the full name.
 */
const IPV4: readonly (readonly [string, string])[] = [
	['icmp-net-unreachable', 'net-unreach'],
	['icmp-host-unreachable', 'host-unreach'],
	['icmp-proto-unreachable', 'proto-unreach'],
	['icmp-port-unreachable', 'port-unreach'],
	['icmp-net-prohibited', 'net-prohib'],
	['icmp-host-prohibited', 'host-prohib'],
	['tcp-reset', 'tcp-rst'],
	['icmp-admin-prohibited', 'admin-prohib'],
];
const IPV6: readonly (readonly [string, string])[] = [
	['icmp6-no-route', 'no-route'],
	['icmp6-adm-prohibited', 'adm-prohibited'],
	['icmp6-addr-unreachable', 'addr-unreach'],
	['icmp6-port-unreachable', 'port-unreach'],
	['tcp-reset', 'tcp-reset'],
	['icmp6-policy-fail', 'policy-fail'],
	['icmp6-reject-route', 'reject-route'],
];

/** The full reply name iptables stores for what was written, or undefined when it knows none. */
export function rejectType(text: string, family: 4 | 6): string | undefined {
	const word = text.toLowerCase();
	return (family === 4 ? IPV4 : IPV6).find(([name, alias]) => name.startsWith(word) || alias.startsWith(word))?.[0];
}

/** ICMP types that are errors: the kernel never answers one with another ICMP error. */
const ICMP4_ERRORS = new Set([3, 4, 5, 11, 12]);

/** 'broadcast' or 'multicast' when the packet is not addressed to one host: the kernel answers none of those. */
function castTo(packet: Packet): 'broadcast' | 'multicast' | undefined {
	const first = packet.dst.words[0]!;
	if (packet.family === 4) {
		if (first >>> 28 === 0xe) return 'multicast';
		if (first === 0xffffffff) return 'broadcast';
	} else if (first >>> 24 === 0xff) return 'multicast';
	return packet.pktType === 'broadcast' || packet.pktType === 'multicast' ? packet.pktType : undefined;
}

/**
 * REJECT drops the packet and answers it. The kernel's ipt_REJECT/ip6t_REJECT are valid in the filter table
 * only (checked on Linux 6.18: raw, mangle, nat and security are refused), whose chains are exactly its
 * INPUT, FORWARD and OUTPUT hooks. The kernel also refuses tcp-reset unless the rule says -p tcp (not
 * negated): the parser cannot see -p here, so that is not checked.
 */
export const REJECT: TargetExtension<string> = {
	name: 'REJECT',
	reads: { tcp: true, icmp: true },
	tables: ['filter'],
	parse(uses, ctx) {
		let reply = ctx.family === 4 ? 'icmp-port-unreachable' : 'icmp6-port-unreachable';
		const seen = new Set<string>();
		for (const use of uses) {
			if (use.name !== '--reject-with') ctx.unknown('REJECT', use);
			if (use.negated) ctx.fail(use.token, 'REJECT: option "--reject-with" cannot be inverted');
			if (seen.has(use.name)) ctx.fail(use.token, 'REJECT: option "--reject-with" can only be used once');
			seen.add(use.name);
			const token = ctx.arg(use, 'a reply type');
			const name = rejectType(token.text, ctx.family);
			if (!name) {
				const names = (ctx.family === 4 ? IPV4 : IPV6).map(([n]) => n);
				const hint = /^echo-?reply$/i.test(token.text) ? ' (echo-reply is no longer supported)' : '';
				return ctx.fail(token, `unknown reject type "${token.text}" for IPv${ctx.family}${hint}: expected ${names.join(', ')}`);
			}
			reply = name;
		}
		return reply;
	},
	apply(reply, packet) {
		const silent = (why: string) => ({ kind: 'reject' as const, with: `nothing (${why}: the packet is dropped without a reply)` });
		if (packet.fragment) return silent('a non-first fragment is never answered');
		if (reply === 'tcp-reset') {
			if (packet.proto !== 6) return silent('tcp-reset applies only to TCP');
			if (((packet.tcpFlags ?? 0) & TCP_FLAGS.RST!) !== 0) return silent('no RST is sent in reply to a RST');
			const group = castTo(packet);
			if (group) return silent(`no RST is sent in reply to a ${group} packet`);
			return { kind: 'reject', with: reply };
		}
		if (packet.family === 4 && packet.proto === 1 && packet.icmpType !== undefined && (ICMP4_ERRORS.has(packet.icmpType) || packet.icmpType > 18)) {
			return silent('the kernel sends no ICMP error about an ICMP error');
		}
		if (packet.family === 6 && packet.proto === 58 && packet.icmpType !== undefined && packet.icmpType < 128) {
			return silent('the kernel sends no ICMPv6 error about an ICMPv6 error');
		}
		const group = castTo(packet);
		if (group) return silent(`no ICMP error is sent about a ${group} packet`);
		return { kind: 'reject', with: reply };
	},
};
