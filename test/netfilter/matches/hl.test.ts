import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNoMatch, assertParseError, evaluate, makePacket } from './harness.js';

const v6 = (ttl: number) => makePacket({ family: 6, proto: 58, ttl, icmpType: 135, sport: undefined, dport: undefined });

describe('hl', () => {
	it('compares the hop limit', () => {
		assert.equal(evaluate('-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 135 -m hl --hl-eq 255 -j ACCEPT', 'hl', v6(255)).verdict, null);
		assert.equal(evaluate('-A INPUT -m hl --hl-lt 10 -j ACCEPT', 'hl', v6(2)).verdict, null);
	});

	it('says why not', () => {
		assertNoMatch(evaluate('-A INPUT -m hl --hl-eq 255 -j ACCEPT', 'hl', v6(64)).verdict, /^hop limit 64 is not 255$/);
	});

	it('negates --hl-eq', () => {
		assert.equal(evaluate('-A INPUT -m hl ! --hl-eq 255 -j DROP', 'hl', v6(64)).verdict, null);
		assertNoMatch(evaluate('-A INPUT -m hl ! --hl-eq 255 -j DROP', 'hl', v6(255)).verdict, /^hop limit 255 is 255$/);
	});

	it('is IPv6 only', () => {
		assertParseError('-A INPUT -m hl --hl-eq 255 -j ACCEPT', 'hl', /iptables uses -m ttl/);
		assertParseError('-A INPUT -m hl --hl-lt -1 -j ACCEPT', '-1', /hop limit \(0–255\)/, { family: 6 });
	});
});
