import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNoMatch, assertParseError, evaluate, makePacket } from './harness.js';

const mobility = makePacket({ family: 6, proto: 135, sport: undefined, dport: undefined, tcpFlags: undefined });

describe('mh', () => {
	it('assumes the type of a Mobility Header packet, and says so', () => {
		const { verdict, env } = evaluate('-A INPUT -p mh -m mh --mh-type binding-update -j ACCEPT', 'mh', mobility);
		assert.equal(verdict, null);
		assert.match(env.assumptions[0]!, /Mobility Header type is not known: assumed to satisfy --mh-type binding-update/);
		assert.equal(evaluate('-A INPUT -p mh -m mh ! --mh-type bu:ba -j ACCEPT', 'mh', mobility).verdict, null);
	});

	it('does not match other protocols', () => {
		assertNoMatch(evaluate('-A INPUT -p mh -m mh --mh-type 5 -j ACCEPT', 'mh', makePacket({ family: 6 })).verdict, /^not a Mobility Header packet \(protocol 135\)$/);
	});

	it('rejects unknown types and IPv4', () => {
		assertParseError('-A INPUT -m mh --mh-type hello -j ACCEPT', 'hello', /mobility header type/, { family: 6 });
		assertParseError('-A INPUT -m mh --mh-type 5 -j ACCEPT', 'mh', /IPv6 match/);
		assertParseError('-A INPUT -p udp -m mh --mh-type 5 -j ACCEPT', 'mh', /needs -p mh/, { family: 6 });
	});
});
