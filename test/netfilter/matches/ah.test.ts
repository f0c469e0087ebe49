import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNoMatch, assertParseError, evaluate, makePacket } from './harness.js';

const ahPacket = makePacket({ proto: 51, sport: undefined, dport: undefined, tcpFlags: undefined });

describe('ah', () => {
	it('matches AH packets, assuming the SPI and saying so', () => {
		const { verdict, env } = evaluate('-A INPUT -p ah -m ah --ahspi 500 -j ACCEPT', 'ah', ahPacket);
		assert.equal(verdict, null);
		assert.match(env.assumptions[0]!, /AH SPI is not known: assumed to satisfy --ahspi 500/);
	});

	it('does not match a packet without AH', () => {
		assertNoMatch(evaluate('-A INPUT -p ah -m ah --ahspi 500 -j ACCEPT', 'ah').verdict, /^the packet carries no AH header$/);
	});

	it('takes the IPv6 options, negated or not', () => {
		const v6 = makePacket({ family: 6, proto: 51, sport: undefined, dport: undefined });
		const { verdict, env } = evaluate('-A INPUT -m ah ! --ahspi 1 --ahlen 4 --ahres -j ACCEPT', 'ah', v6);
		assert.equal(verdict, null);
		assert.match(env.assumptions.join('\n'), /satisfy ! --ahspi 1/);
		assert.match(env.assumptions.join('\n'), /--ahlen 4 --ahres/);
	});

	it('refuses the IPv6 options in iptables', () => {
		assertParseError('-A INPUT -p ah -m ah --ahlen 4 -j ACCEPT', '--ahlen', /unknown option --ahlen for ah/);
		assertParseError('-A INPUT -p tcp -m ah --ahspi 1 -j ACCEPT', 'ah', /needs -p ah/, { occurrence: 0 });
	});
});
