import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNoMatch, assertParseError, evaluate, ip, makePacket } from './harness.js';

describe('iprange', () => {
	it('matches a source inside the range, bounds included', () => {
		assert.equal(evaluate('-A FORWARD -m iprange --src-range 10.0.0.1-10.0.0.9 -j ACCEPT', 'iprange').verdict, null);
		assert.equal(evaluate('-A FORWARD -m iprange --src-range 10.0.0.1-10.0.0.9 -j ACCEPT', 'iprange', makePacket({ src: ip('10.0.0.9') })).verdict, null);
		assert.equal(evaluate('-A FORWARD -m iprange --dst-range 10.0.0.2 -j ACCEPT', 'iprange').verdict, null);
	});

	it('says why an address outside does not match', () => {
		const { verdict } = evaluate('-A FORWARD -m iprange --src-range 10.0.0.5-10.0.0.9 -j ACCEPT', 'iprange');
		assertNoMatch(verdict, /^source 10\.0\.0\.1 is not in 10\.0\.0\.5-10\.0\.0\.9$/);
		const both = evaluate('-A FORWARD -m iprange --src-range 10.0.0.0-10.0.0.9 --dst-range 10.1.0.0-10.1.0.9 -j ACCEPT', 'iprange');
		assertNoMatch(both.verdict, /^destination 10\.0\.0\.2 is not in/);
	});

	it('negates each range on its own', () => {
		const line = '-A FORWARD -s 10.0.0.1/32 -m iprange ! --dst-range 10.0.0.0-10.255.255.255 -j ACCEPT';
		assertNoMatch(evaluate(line, 'iprange').verdict, /^destination 10\.0\.0\.2 is in 10\.0\.0\.0-10\.255\.255\.255 \(negated\)$/);
		assert.equal(evaluate(line, 'iprange', makePacket({ dst: ip('8.8.8.8') })).verdict, null);
	});

	it('works for IPv6 and accepts getopt abbreviations with a warning', () => {
		const packet = makePacket({ family: 6, src: ip('2001:db8::5') });
		const { verdict, warnings } = evaluate('-A INPUT -m iprange --src-r 2001:db8::1-2001:db8::ff -j ACCEPT', 'iprange', packet);
		assert.equal(verdict, null);
		assert.match(warnings[0]!.text, /--src-r is an abbreviation of --src-range/);
	});

	it('reports bad ranges and a missing option at their column', () => {
		assertParseError('-A FORWARD -m iprange --src-range 10.0.0.1-bogus -j ACCEPT', '10.0.0.1-bogus', /expected an IPv4 address or range FROM-TO/);
		assertParseError('-A FORWARD -m iprange --src-range 2001:db8::1 -j ACCEPT', '2001:db8::1', /IPv4/);
		assertParseError('-A FORWARD -m iprange -j ACCEPT', 'iprange', /needs --src-range or --dst-range/);
		assertParseError('-A FORWARD -m iprange --source-range 10.0.0.1 -j ACCEPT', '--source-range', /unknown option --source-range for iprange/);
	});
});
