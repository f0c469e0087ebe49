import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatIp } from '../../../source/packet/address.js';
import { applyRule, assertParseError, ip, makePacket, parseRule } from './env.js';

describe('TPROXY', () => {
	it('parses what iptables-save writes (0.0.0.0 means: no --on-ip)', () => {
		const o = parseRule('mangle', '-A PREROUTING -p tcp -j TPROXY --on-port 0 --on-ip 0.0.0.0 --tproxy-mark 0x0/0x0').rule.target!.options;
		assert.deepEqual(o, { port: 0, markValue: 0, markMask: 0 });
		const v6 = parseRule('mangle', '-A PREROUTING -p udp -j TPROXY --on-port 1 --on-ip ::1 --tproxy-mark 0x1/0x1', 6).rule.target!.options as { ip: unknown };
		assert.equal(formatIp(v6.ip as never), '::1');
	});

	it('marks the packet and accepts it, assuming a transparent socket listens', () => {
		const packet = makePacket({ mark: 0xf0 });
		const line = '-A PREROUTING -p tcp -j TPROXY --on-port 8080 --on-ip 127.0.0.1 --tproxy-mark 0x1/0x1';
		const { outcome, env } = applyRule('mangle', line, packet);
		assert.deepEqual(outcome, { kind: 'accept' });
		assert.equal(packet.mark, 0xf1);
		assert.equal(env.rewrites[0]!.description, 'mark 0xf0 → 0xf1 (TPROXY)');
		assert.equal(formatIp(packet.dst), '10.0.0.2', 'the header is not rewritten');
		assert.equal(packet.dport, 80);
		assert.equal(env.assumptions.length, 1);
		assert.match(env.assumptions[0]!, /transparent socket .* on 127\.0\.0\.1:8080/);
		assert.match(env.assumptions[0]!, /with no such socket the kernel drops it/);
	});

	it('without --on-ip listens on the arrival interface address; port 0 keeps the destination port', () => {
		const packet = makePacket({ in: 'eth1' });
		const { env } = applyRule('mangle', '-A PREROUTING -p tcp -j TPROXY --on-port 0 --tproxy-mark 0x5', packet, {
			addresses: [{ ip: ip('192.0.2.1'), prefix: 24, dev: 'eth1' }],
		});
		assert.match(env.assumptions[0]!, / on 192\.0\.2\.1:80 /);
		assert.equal(packet.mark, 5);
	});

	it('with no address on the interface, the packet destination is used', () => {
		const { env } = applyRule('mangle', '-A PREROUTING -p udp -j TPROXY --on-port 53', makePacket({ proto: 17, tcpFlags: undefined }));
		assert.match(env.assumptions[0]!, / on 10\.0\.0\.2:53 /);
		assert.equal(env.rewrites.length, 0);
	});

	it('needs --on-port, mangle, and an address of the family', () => {
		assertParseError('mangle', '-A PREROUTING -p tcp -j TPROXY --on-ip 1.2.3.4', 'TPROXY', /needs --on-port/);
		assertParseError('nat', '-A PREROUTING -p tcp -j TPROXY --on-port 1', 'TPROXY', /only valid in the mangle table/);
		assertParseError('mangle', '-A PREROUTING -p tcp -j TPROXY --on-port 1 --on-ip ::1', '::1', /expected an IPv4 address/);
	});

	it('keeps the low 16 bits of a port above 65535, as iptables does, with a warning', () => {
		const { rule, warnings } = parseRule('mangle', '-A PREROUTING -p tcp -j TPROXY --on-port 70000');
		assert.equal((rule.target!.options as { port: number }).port, 4464);
		assert.match(warnings[0]!.text, /low 16 bits/);
	});
});
