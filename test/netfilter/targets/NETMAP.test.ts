import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatIp } from '../../../source/packet/address.js';
import { applyRule, assertParseError, ip, makePacket, parseRule } from './env.js';

describe('NETMAP', () => {
	it('maps the destination in PREROUTING, keeping the host bits', () => {
		const packet = makePacket({ dst: ip('192.168.1.77') });
		const { outcome, env } = applyRule('nat', '-A PREROUTING -d 192.168.1.0/24 -j NETMAP --to 10.5.6.0/24', packet);
		assert.deepEqual(outcome, { kind: 'nat', description: 'NETMAP destination to 10.5.6.0/24' });
		assert.equal(formatIp(packet.dst), '10.5.6.77');
		assert.equal(formatIp(packet.src), '10.0.0.1');
		assert.equal(env.rewrites[0]!.description, 'destination 192.168.1.77 → 10.5.6.77 (NETMAP to 10.5.6.0/24)');
		assert.equal(formatIp(env.rewrites[0]!.before.dst), '192.168.1.77');
		assert.equal(packet.ct.dnat, true);
		assert.equal(formatIp(packet.ct.replSrc), '10.5.6.77');
	});

	it('maps the source in POSTROUTING and INPUT, the destination in OUTPUT', () => {
		const post = makePacket({ src: ip('10.0.3.9') });
		applyRule('nat', '-A POSTROUTING -j NETMAP --to 172.16.0.0/16', post);
		assert.equal(formatIp(post.src), '172.16.3.9');
		assert.equal(post.ct.snat, true);
		const input = makePacket({ src: ip('10.0.3.9') });
		applyRule('nat', '-A INPUT -j NETMAP --to 172.16.0.0/16', input);
		assert.equal(formatIp(input.src), '172.16.3.9');
		const out = makePacket({ dst: ip('10.0.3.9') });
		applyRule('nat', '-A OUTPUT -j NETMAP --to 172.16.0.0/16', out);
		assert.equal(formatIp(out.dst), '172.16.3.9');
	});

	it('stores the network with host bits cleared, /32 without a mask, dotted masks too', () => {
		const to = (text: string) => parseRule('nat', `-A PREROUTING -j NETMAP --to ${text}`).rule.target!.options as { prefix: number };
		assert.equal(to('10.1.2.3/24').prefix, 24);
		assert.equal(to('10.0.0.1').prefix, 32);
		assert.equal(to('10.0.0.0/255.255.0.0').prefix, 16);
		const packet = makePacket({ dst: ip('192.168.1.77') });
		applyRule('nat', '-A PREROUTING -j NETMAP --to 10.1.2.3/24', packet);
		assert.equal(formatIp(packet.dst), '10.1.2.77');
	});

	it('maps IPv6 prefixes', () => {
		const packet = makePacket({ family: 6, src: ip('fd00:1:2:3::abcd') });
		applyRule('nat', '-A POSTROUTING -j NETMAP --to 2001:db8:aa::/48', packet);
		assert.equal(formatIp(packet.src), '2001:db8:aa:3::abcd');
	});

	it('is nat-only and needs an address of the ruleset family', () => {
		assertParseError('mangle', '-A PREROUTING -j NETMAP --to 10.0.0.0/8', 'NETMAP', /only valid in the nat table/);
		assertParseError('nat', '-A PREROUTING -j NETMAP', 'NETMAP', /needs --to/);
		assertParseError('nat', '-A PREROUTING -j NETMAP --to 2001:db8::/32', '2001:db8::/32', /expected an IPv4 network/);
		assertParseError('nat', '-A PREROUTING -j NETMAP --to 10.0.0.0/255.0.255.0', '10.0.0.0/255.0.255.0', /expected an IPv4 network/);
	});
});
