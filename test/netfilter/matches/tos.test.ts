import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNoMatch, assertParseError, evaluate, makePacket } from './harness.js';

describe('tos', () => {
	it('matches values, masks and RFC 1349 names', () => {
		assert.equal(evaluate('-A INPUT -m tos --tos 0x10/0x3f -j ACCEPT', 'tos', makePacket({ tos: 0xd0 })).verdict, null);
		assert.equal(evaluate('-A INPUT -m tos --tos Minimize-Delay -j ACCEPT', 'tos', makePacket({ tos: 0x10 })).verdict, null);
		assert.equal(evaluate('-A INPUT -m tos --tos 0x08 -j ACCEPT', 'tos', makePacket({ tos: 0x08 })).verdict, null);
	});

	it('says the TOS it saw', () => {
		assertNoMatch(evaluate('-A INPUT -m tos --tos 0x10 -j ACCEPT', 'tos', makePacket({ tos: 0x11 })).verdict, /^TOS 0x11 is not 0x10$/);
		assertNoMatch(evaluate('-A INPUT -m tos --tos minimize-cost -j ACCEPT', 'tos', makePacket({ tos: 0 })).verdict, /^TOS 0x0 & 0x3f is not 0x2$/);
	});

	it('negates', () => {
		assert.equal(evaluate('-A INPUT -m tos ! --tos 0x10 -j ACCEPT', 'tos', makePacket({ tos: 0 })).verdict, null);
		assertNoMatch(evaluate('-A INPUT -m tos ! --tos 0x0 -j ACCEPT', 'tos', makePacket({ tos: 0 })).verdict, /^TOS 0x0 is 0x0$/);
	});

	it('rejects unknown names and big values', () => {
		assertParseError('-A INPUT -m tos --tos Fast -j ACCEPT', 'Fast', /unknown TOS name "Fast"/);
		assertParseError('-A INPUT -m tos --tos 0x100 -j ACCEPT', '0x100', /TOS value \(0–255\)/);
	});
});
