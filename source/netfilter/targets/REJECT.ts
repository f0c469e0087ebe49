import type { TargetExtension } from '../extension.js';

const IPV4 = ['icmp-net-unreachable', 'icmp-host-unreachable', 'icmp-port-unreachable', 'icmp-proto-unreachable', 'icmp-net-prohibited', 'icmp-host-prohibited', 'icmp-admin-prohibited', 'tcp-reset'];
const IPV6 = ['icmp6-no-route', 'icmp6-adm-prohibited', 'icmp6-addr-unreachable', 'icmp6-port-unreachable', 'icmp6-policy-fail', 'icmp6-reject-route', 'tcp-reset'];
/** Short spellings iptables accepts for the same replies. */
const ALIASES: Readonly<Record<string, string>> = {
	'net-unreach': 'icmp-net-unreachable', 'host-unreach': 'icmp-host-unreachable', 'port-unreach': 'icmp-port-unreachable',
	'proto-unreach': 'icmp-proto-unreachable', 'net-prohib': 'icmp-net-prohibited', 'host-prohib': 'icmp-host-prohibited',
	'admin-prohib': 'icmp-admin-prohibited', 'tcp-rst': 'tcp-reset', 'no-route': 'icmp6-no-route', 'adm-prohibited': 'icmp6-adm-prohibited',
	'addr-unreach': 'icmp6-addr-unreachable', 'port-unreach6': 'icmp6-port-unreachable', 'icmp6-port-unreach': 'icmp6-port-unreachable',
};

export const REJECT: TargetExtension<string> = {
	name: 'REJECT',
	parse(uses, ctx) {
		let reply = ctx.family === 4 ? 'icmp-port-unreachable' : 'icmp6-port-unreachable';
		for (const use of uses) {
			if (use.name !== '--reject-with') ctx.unknown('REJECT', use);
			const token = ctx.arg(use, 'a reply type');
			const name = ALIASES[token.text] ?? token.text;
			const allowed = ctx.family === 4 ? IPV4 : IPV6;
			if (!allowed.includes(name)) ctx.fail(token, `unknown reject type "${token.text}" for IPv${ctx.family}: expected ${allowed.join(', ')}`);
			reply = name;
		}
		return reply;
	},
	apply(reply, packet) {
		// The kernel sends no RST in reply to a RST, and only TCP gets one.
		if (reply === 'tcp-reset' && packet.proto !== 6) return { kind: 'reject', with: 'nothing (tcp-reset applies only to TCP: the packet is dropped)' };
		return { kind: 'reject', with: reply };
	},
};
