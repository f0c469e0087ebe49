import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNoMatch, assertParseError, evaluate, makePacket } from './harness.js';

describe('connmark', () => {
	it('compares the connection mark under the mask', () => {
		assert.equal(evaluate('-A PREROUTING -m connmark --mark 0x1 -j ACCEPT', 'connmark', makePacket({ ctmark: 1 }), { table: 'mangle' }).verdict, null);
		assert.equal(evaluate('-A PREROUTING -m connmark --mark 0x10/0xf0 -j ACCEPT', 'connmark', makePacket({ ctmark: 0x1f }), { table: 'mangle' }).verdict, null);
	});

	it('says which mark it saw', () => {
		assertNoMatch(evaluate('-A INPUT -m connmark --mark 0x2/0xff -j ACCEPT', 'connmark', makePacket({ ctmark: 0x101 })).verdict, /^connection mark 0x101 & 0xff is not 0x2$/);
	});

	it('negates, but never matches a packet without a connection', () => {
		assert.equal(evaluate('-A INPUT -m connmark ! --mark 0x2 -j ACCEPT', 'connmark', makePacket({ ctmark: 1 })).verdict, null);
		assertNoMatch(evaluate('-A INPUT -m connmark ! --mark 0x1 -j ACCEPT', 'connmark', makePacket({ ctmark: 1 })).verdict, /is 0x1/);
		assertNoMatch(evaluate('-A INPUT -m connmark ! --mark 0x2 -j ACCEPT', 'connmark', makePacket({ ctState: 'UNTRACKED' })).verdict, /no connection \(UNTRACKED\)/);
	});

	it('rejects a bad value and a missing --mark', () => {
		assertParseError('-A INPUT -m connmark --mark red -j ACCEPT', 'red', /expected connmark/);
		assertParseError('-A INPUT -m connmark -j ACCEPT', 'connmark', /needs --mark/);
		assertParseError('-A INPUT -m connmark --mark 1 2 -j ACCEPT', '--mark', /expects a value, got 2/);
	});
});
