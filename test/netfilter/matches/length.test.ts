import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNoMatch, assertParseError, evaluate, makePacket } from './harness.js';

describe('length', () => {
	it('matches a length in the range or equal to the value', () => {
		assert.equal(evaluate('-A INPUT -m length --length 40:100 -j ACCEPT', 'length', makePacket({ length: 60 })).verdict, null);
		assert.equal(evaluate('-A INPUT -m length --length 60 -j ACCEPT', 'length', makePacket({ length: 60 })).verdict, null);
		assert.equal(evaluate('-A INPUT -m length --length 1400: -j ACCEPT', 'length', makePacket({ length: 1500 })).verdict, null);
	});

	it('says the length it saw', () => {
		assertNoMatch(evaluate('-A INPUT -m length --length 0:59 -j ACCEPT', 'length', makePacket({ length: 60 })).verdict, /^length 60 is not in 0:59$/);
	});

	it('negates', () => {
		assert.equal(evaluate('-A INPUT -m length ! --length 0:59 -j ACCEPT', 'length', makePacket({ length: 60 })).verdict, null);
		assertNoMatch(evaluate('-A INPUT -m length ! --length 60 -j ACCEPT', 'length', makePacket({ length: 60 })).verdict, /^length 60 is in 60, which is excluded$/);
	});

	it('rejects values out of range', () => {
		assertParseError('-A INPUT -m length --length 70000 -j ACCEPT', '70000', /expected length \(0–65535\)/);
		assertParseError('-A INPUT -m length -j ACCEPT', 'length', /needs --length/);
	});
});
