import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNoMatch, assertParseError, evaluate, makePacket } from './harness.js';

const espPacket = makePacket({ proto: 50, sport: undefined, dport: undefined, tcpFlags: undefined });

describe('esp', () => {
	it('matches ESP packets, assuming the SPI and saying so', () => {
		const { verdict, env } = evaluate('-A INPUT -p esp -m esp --espspi 256:511 -j ACCEPT', 'esp', espPacket);
		assert.equal(verdict, null);
		assert.match(env.assumptions[0]!, /ESP SPI is not known: assumed to satisfy --espspi 256:511/);
		assert.equal(evaluate('-A INPUT -p esp -m esp -j ACCEPT', 'esp', espPacket).env.assumptions.length, 0);
	});

	it('does not match other protocols', () => {
		assertNoMatch(evaluate('-A INPUT -p esp -m esp --espspi 1 -j ACCEPT', 'esp').verdict, /^not an ESP packet$/);
	});

	it('keeps the negation in the assumption', () => {
		const { env } = evaluate('-A INPUT -p esp -m esp ! --espspi 1 -j ACCEPT', 'esp', espPacket);
		assert.match(env.assumptions[0]!, /satisfy ! --espspi 1/);
	});

	it('rejects a bad SPI', () => {
		assertParseError('-A INPUT -p esp -m esp --espspi 0x1ffffffff -j ACCEPT', '0x1ffffffff', /SPI \(0–4294967295\)/);
		assertParseError('-A INPUT -m esp --espspi 1 -j ACCEPT', 'esp', /needs -p esp/);
	});
});
