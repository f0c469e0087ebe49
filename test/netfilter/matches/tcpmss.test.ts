import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TCP_FLAGS } from '../../../source/packet/packet.js';
import { assertNoMatch, assertParseError, evaluate, makePacket } from './harness.js';

describe('tcpmss', () => {
	it('assumes the MSS of a SYN is in range, and says so', () => {
		const { verdict, env } = evaluate('-A FORWARD -p tcp --tcp-flags SYN,RST SYN -m tcpmss --mss 1400:1536 -j ACCEPT', 'tcpmss');
		assert.equal(verdict, null);
		assert.match(env.assumptions.join('\n'), /a SYN is assumed to carry an MSS option/);
		assert.match(env.assumptions.join('\n'), /MSS value is not known: assumed within 1400:1536/);
	});

	it('knows a segment without the option does not match', () => {
		assertNoMatch(evaluate('-A FORWARD -p tcp -m tcpmss --mss 1400 -j ACCEPT', 'tcpmss', makePacket({ tcpOptions: [4, 8] })).verdict, /^the segment has no MSS option$/);
		assertNoMatch(evaluate('-A FORWARD -p tcp -m tcpmss --mss 1400 -j ACCEPT', 'tcpmss', makePacket({ tcpFlags: TCP_FLAGS.ACK })).verdict, /no MSS option/);
		assertNoMatch(evaluate('-A FORWARD -p tcp -m tcpmss --mss 1400 -j ACCEPT', 'tcpmss', makePacket({ proto: 17 })).verdict, /not a TCP packet/);
	});

	it('negated, it matches a segment without the option', () => {
		assert.equal(evaluate('-A FORWARD -p tcp -m tcpmss ! --mss 1400 -j ACCEPT', 'tcpmss', makePacket({ tcpOptions: [] })).verdict, null);
		assertNoMatch(evaluate('-A FORWARD -p tcp -m tcpmss ! --mss 1400 -j ACCEPT', 'tcpmss', makePacket({ tcpOptions: [2] })).verdict, /which is excluded/);
	});

	it('rejects bad values', () => {
		assertParseError('-A FORWARD -p tcp -m tcpmss --mss 70000 -j ACCEPT', '70000', /MSS \(0–65535\)/);
		assertParseError('-A FORWARD -p tcp -m tcpmss -j ACCEPT', 'tcpmss', /needs --mss/);
		assertParseError('-A FORWARD -m tcpmss --mss 1400 -j ACCEPT', 'tcpmss', /needs -p tcp/);
	});
});
