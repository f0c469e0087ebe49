import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNoMatch, assertParseError, evaluate, makePacket } from './harness.js';

const sctpPacket = makePacket({ proto: 132, tcpFlags: undefined, dport: 50000 });

describe('sctp', () => {
	it('matches ports exactly, with or without -m sctp', () => {
		assert.equal(evaluate('-A INPUT -d 10.0.0.2/32 -p sctp -m sctp --dport 50000 -j ACCEPT', 'sctp', sctpPacket).verdict, null);
		assert.equal(evaluate('-A INPUT -p sctp --sport 1024:65535 -j ACCEPT', 'sctp', sctpPacket).verdict, null);
	});

	it('says which port differs, or that it is not SCTP', () => {
		assertNoMatch(evaluate('-A INPUT -p sctp -m sctp --dport 5000 -j ACCEPT', 'sctp', sctpPacket).verdict, /^destination port 50000 is not 5000$/);
		assertNoMatch(evaluate('-A INPUT -p sctp -m sctp --dport 5000 -j ACCEPT', 'sctp', makePacket()).verdict, /not an SCTP packet/);
	});

	it('negates ports; assumes the chunk types and says so', () => {
		assert.equal(evaluate('-A INPUT -p sctp -m sctp ! --dport 5000 -j ACCEPT', 'sctp', sctpPacket).verdict, null);
		const chunks = evaluate('-A INPUT -p sctp -m sctp --chunk-types any INIT,DATA:Be -j ACCEPT', 'sctp', sctpPacket);
		assert.equal(chunks.verdict, null);
		assert.match(chunks.env.assumptions[0]!, /SCTP chunks are not modelled: --chunk-types any INIT,DATA:Be is assumed to hold/);
		assertNoMatch(evaluate('-A INPUT -p sctp -m sctp ! --chunk-types all INIT -j ACCEPT', 'sctp', sctpPacket).verdict, /which is excluded/);
	});

	it('rejects unknown chunk types and modes', () => {
		assertParseError('-A INPUT -p sctp -m sctp --chunk-types any BOGUS -j ACCEPT', 'BOGUS', /unknown SCTP chunk type "BOGUS"/);
		assertParseError('-A INPUT -p sctp -m sctp --chunk-types some INIT -j ACCEPT', 'some', /expected all, any or only/);
		assertParseError('-A INPUT -p sctp -m sctp --chunk-types INIT -j ACCEPT', '--chunk-types', /expects 2 values, got 1/);
		assertParseError('-A INPUT -p tcp -m sctp --dport 1 -j ACCEPT', 'sctp', /needs -p sctp/);
	});
});
