import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNoMatch, assertParseError, evaluate, makePacket } from './harness.js';

const bridged = makePacket({ in: 'br0', out: 'br0', physIn: 'veth1', physOut: 'eth0' });

describe('physdev', () => {
	it('matches the bridge ports, with + wildcards', () => {
		assert.equal(evaluate('-A FORWARD -m physdev --physdev-in veth+ --physdev-out eth0 -j ACCEPT', 'physdev', bridged).verdict, null);
		assert.equal(evaluate('-A FORWARD -m physdev --physdev-is-bridged -j ACCEPT', 'physdev', bridged).verdict, null);
		assert.equal(evaluate('-A FORWARD -m physdev --physdev-is-in --physdev-is-out -j ACCEPT', 'physdev', bridged).verdict, null);
	});

	it('says which port differs, and that an unbridged packet has none', () => {
		assertNoMatch(evaluate('-A FORWARD -m physdev --physdev-in veth2 -j ACCEPT', 'physdev', bridged).verdict, /^bridge input port veth1 is not veth2$/);
		assertNoMatch(evaluate('-A FORWARD -m physdev --physdev-is-bridged -j ACCEPT', 'physdev', makePacket()).verdict, /did not cross a bridge/);
		assertNoMatch(evaluate('-A FORWARD -m physdev --physdev-out eth0 -j ACCEPT', 'physdev', makePacket({ physIn: 'veth1' })).verdict, /no bridge output port/);
	});

	it('negates each option; an unbridged packet matches when all are negated', () => {
		assert.equal(evaluate('-A FORWARD -m physdev ! --physdev-is-bridged -j ACCEPT', 'physdev', makePacket()).verdict, null);
		assertNoMatch(evaluate('-A FORWARD -m physdev ! --physdev-is-bridged -j ACCEPT', 'physdev', bridged).verdict, /bridged out of eth0, which ! --physdev-is-bridged excludes/);
		assertNoMatch(evaluate('-A FORWARD -m physdev ! --physdev-in veth+ -j ACCEPT', 'physdev', bridged).verdict, /^bridge input port veth1 is veth\+$/);
	});

	it('rejects bad names, values after flags and an empty match', () => {
		assertParseError('-A FORWARD -m physdev --physdev-in averyveryverylongname -j ACCEPT', 'averyveryverylongname', /not an interface name/);
		assertParseError('-A FORWARD -m physdev --physdev-is-in eth0 -j ACCEPT', 'eth0', /takes no value/);
		assertParseError('-A FORWARD -m physdev -j ACCEPT', 'physdev', /needs at least one option/);
	});
});
