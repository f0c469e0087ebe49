import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TCP_FLAGS } from '../../../source/packet/packet.js';
import { rejectType } from '../../../source/netfilter/targets/REJECT.js';
import { applyRule, assertParseError, ip, makePacket, parseRule } from './env.js';

const reply = (text: string, family: 4 | 6 = 4) => parseRule('filter', `-A INPUT -p tcp -j REJECT --reject-with ${text}`, family).rule.target!.options;

describe('REJECT', () => {
	it('takes every IPv4 type and alias iptables takes', () => {
		const types: Record<string, string> = {
			'icmp-net-unreachable': 'net-unreach', 'icmp-host-unreachable': 'host-unreach', 'icmp-proto-unreachable': 'proto-unreach',
			'icmp-port-unreachable': 'port-unreach', 'icmp-net-prohibited': 'net-prohib', 'icmp-host-prohibited': 'host-prohib',
			'tcp-reset': 'tcp-rst', 'icmp-admin-prohibited': 'admin-prohib',
		};
		for (const [name, alias] of Object.entries(types)) {
			assert.equal(reply(name), name);
			assert.equal(reply(alias), name);
		}
	});

	it('takes every IPv6 type and alias ip6tables takes', () => {
		const types: Record<string, string> = {
			'icmp6-no-route': 'no-route', 'icmp6-adm-prohibited': 'adm-prohibited', 'icmp6-addr-unreachable': 'addr-unreach',
			'icmp6-port-unreachable': 'port-unreach', 'tcp-reset': 'tcp-reset', 'icmp6-policy-fail': 'policy-fail', 'icmp6-reject-route': 'reject-route',
		};
		for (const [name, alias] of Object.entries(types)) {
			assert.equal(reply(name, 6), name);
			assert.equal(reply(alias, 6), name);
		}
	});

	it('resolves abbreviations and case as iptables 1.8.9 does (first entry that starts with the word)', () => {
		// Each pair was checked with iptables / ip6tables -A … then -save in a namespace.
		assert.equal(rejectType('icmp-net', 4), 'icmp-net-unreachable');
		assert.equal(rejectType('tcp', 4), 'tcp-reset');
		assert.equal(rejectType('TCP-RESET', 4), 'tcp-reset');
		assert.equal(rejectType('Port-U', 4), 'icmp-port-unreachable');
		assert.equal(rejectType('icmp-admin', 4), 'icmp-admin-prohibited');
		assert.equal(rejectType('admin', 4), 'icmp-admin-prohibited');
		assert.equal(rejectType('', 4), 'icmp-net-unreachable');
		assert.equal(rejectType('icmp6', 6), 'icmp6-no-route');
		assert.equal(rejectType('port', 6), 'icmp6-port-unreachable');
		assert.equal(rejectType('reject-r', 6), 'icmp6-reject-route');
		assert.equal(rejectType('host-unreachable', 4), undefined);
		assert.equal(rejectType('icmp-port-unreachable', 6), undefined);
		assert.equal(rejectType('port-unreach6', 6), undefined);
	});

	it('defaults to port unreachable', () => {
		assert.equal(parseRule('filter', '-A INPUT -j REJECT').rule.target!.options, 'icmp-port-unreachable');
		assert.equal(parseRule('filter', '-A INPUT -j REJECT', 6).rule.target!.options, 'icmp6-port-unreachable');
	});

	it('answers as told, and stays silent where the kernel sends nothing', () => {
		const rst = '-A INPUT -p tcp -j REJECT --reject-with tcp-reset';
		assert.deepEqual(applyRule('filter', rst, makePacket(), { hook: 'INPUT' }).outcome, { kind: 'reject', with: 'tcp-reset' });
		const silent = (line: string, packet = makePacket()) => {
			const outcome = applyRule('filter', line, packet, { hook: 'INPUT' }).outcome;
			assert.equal(outcome.kind, 'reject');
			return (outcome as { with: string }).with;
		};
		assert.match(silent(rst, makePacket({ tcpFlags: TCP_FLAGS.RST })), /^nothing \(no RST is sent in reply to a RST/);
		assert.match(silent(rst, makePacket({ proto: 17 })), /^nothing \(tcp-reset applies only to TCP/);
		assert.match(silent('-A INPUT -j REJECT', makePacket({ fragment: true })), /non-first fragment/);
		assert.match(silent('-A INPUT -j REJECT', makePacket({ proto: 1, icmpType: 3, tcpFlags: undefined })), /no ICMP error about an ICMP error/);
		assert.equal(silent('-A INPUT -j REJECT', makePacket({ proto: 1, icmpType: 8, tcpFlags: undefined })), 'icmp-port-unreachable');
		assert.match(silent('-A INPUT -j REJECT', makePacket({ proto: 17, dst: ip('255.255.255.255') })), /broadcast/);
		assert.match(silent('-A INPUT -j REJECT', makePacket({ proto: 17, dst: ip('224.0.0.251') })), /multicast/);
		const v6 = applyRule('filter', '-A INPUT -j REJECT', makePacket({ family: 6, proto: 58, icmpType: 1, tcpFlags: undefined }), { hook: 'INPUT' }).outcome;
		assert.match((v6 as { with: string }).with, /ICMPv6 error about an ICMPv6 error/);
		const v6mc = applyRule('filter', '-A INPUT -j REJECT', makePacket({ family: 6, proto: 17, dst: ip('ff02::1') }), { hook: 'INPUT' }).outcome;
		assert.match((v6mc as { with: string }).with, /multicast/);
	});

	it('is refused outside the filter table (the kernel says: only valid in filter)', () => {
		assertParseError('mangle', '-A INPUT -j REJECT', 'REJECT', /only valid in the filter table/);
		assertParseError('raw', '-A OUTPUT -j REJECT', 'REJECT', /only valid in the filter table/);
	});

	it('refuses unknown types with line and column', () => {
		assertParseError('filter', '-A INPUT -p tcp -j REJECT --reject-with echo-reply', 'echo-reply', /unknown reject type "echo-reply" for IPv4 \(echo-reply is no longer supported\)/);
		assertParseError('filter', '-A INPUT -p tcp -j REJECT --reject-with icmp-port-unreachable', 'icmp-port-unreachable', /for IPv6: expected icmp6-no-route/, 6);
		assertParseError('filter', '-A INPUT -j REJECT --reject-with tcp-reset --reject-with tcp-rst', '--reject-with tcp-rst', /only be used once/);
	});
});
