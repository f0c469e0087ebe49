import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNoMatch, assertParseError, evaluate, makePacket } from './harness.js';

describe('dscp', () => {
	it('matches a code point or a class', () => {
		assert.equal(evaluate('-A FORWARD -m dscp --dscp 0x2e -j ACCEPT', 'dscp', makePacket({ tos: 46 << 2 })).verdict, null);
		assert.equal(evaluate('-A FORWARD -m dscp --dscp-class EF -j ACCEPT', 'dscp', makePacket({ tos: (46 << 2) | 1 })).verdict, null);
		assert.equal(evaluate('-A FORWARD -m dscp --dscp-class af41 -j ACCEPT', 'dscp', makePacket({ tos: 34 << 2 })).verdict, null);
	});

	it('says the DSCP it saw', () => {
		assertNoMatch(evaluate('-A FORWARD -m dscp --dscp-class CS1 -j ACCEPT', 'dscp', makePacket({ tos: 0 })).verdict, /^DSCP 0 is not CS1 \(8\)$/);
	});

	it('negates', () => {
		assert.equal(evaluate('-A FORWARD -m dscp ! --dscp 8 -j ACCEPT', 'dscp', makePacket({ tos: 0 })).verdict, null);
		assertNoMatch(evaluate('-A FORWARD -m dscp ! --dscp 0 -j ACCEPT', 'dscp', makePacket({ tos: 0 })).verdict, /^DSCP 0 is 0$/);
	});

	it('rejects bad values, classes and both options', () => {
		assertParseError('-A FORWARD -m dscp --dscp 64 -j ACCEPT', '64', /DSCP value \(0–63\)/);
		assertParseError('-A FORWARD -m dscp --dscp-class AF44 -j ACCEPT', 'AF44', /unknown DSCP class "AF44"/);
		assertParseError('-A FORWARD -m dscp --dscp 1 --dscp-class EF -j ACCEPT', '--dscp-class', /--dscp or --dscp-class, once/);
	});
});
