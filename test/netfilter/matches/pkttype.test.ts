import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNoMatch, assertParseError, evaluate, HOST_ADDRESSES, ip, makePacket } from './harness.js';

describe('pkttype', () => {
	it('uses the packet type given with the packet', () => {
		assert.equal(evaluate('-A INPUT -m pkttype --pkt-type broadcast -j ACCEPT', 'pkttype', makePacket({ pktType: 'broadcast' })).verdict, null);
		assertNoMatch(evaluate('-A INPUT -m pkttype --pkt-type broadcast -j ACCEPT', 'pkttype', makePacket({ pktType: 'unicast' })).verdict, /^the packet is unicast, not broadcast$/);
	});

	it('reads the destination MAC, else derives the type from the destination and says so', () => {
		assert.equal(evaluate('-A INPUT -m pkttype --pkt-type multicast -j ACCEPT', 'pkttype', makePacket({ dstMac: '01:00:5e:00:00:fb' })).verdict, null);
		const derived = evaluate('-A INPUT -m pkttype --pkt-type broadcast -j ACCEPT', 'pkttype', makePacket({ dst: ip('10.0.0.255') }), { addresses: HOST_ADDRESSES });
		assert.equal(derived.verdict, null);
		assert.match(derived.env.assumptions[0]!, /taken from the destination 10\.0\.0\.255: broadcast/);
		assert.equal(evaluate('-A INPUT -m pkttype --pkt-type unicast -j ACCEPT', 'pkttype', makePacket({ dst: ip('8.8.8.8') })).verdict, null);
	});

	it('treats sent and forwarded packets as unicast', () => {
		assert.equal(evaluate('-A OUTPUT -m pkttype --pkt-type unicast -j ACCEPT', 'pkttype', makePacket({ local: true, dst: ip('224.0.0.1') })).verdict, null);
	});

	it('negates, and accepts the aliases', () => {
		assert.equal(evaluate('-A INPUT -m pkttype ! --pkt-type unicast -j DROP', 'pkttype', makePacket({ pktType: 'multicast' })).verdict, null);
		assertNoMatch(evaluate('-A INPUT -m pkttype ! --pkt-type host -j DROP', 'pkttype', makePacket({ pktType: 'unicast' })).verdict, /which ! --pkt-type unicast excludes/);
	});

	it('rejects unknown types', () => {
		assertParseError('-A INPUT -m pkttype --pkt-type anycast -j DROP', 'anycast', /unknown packet type "anycast"/);
		assertParseError('-A INPUT -m pkttype -j DROP', 'pkttype', /needs --pkt-type/);
	});
});
