import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNoMatch, assertParseError, evaluate, makePacket } from './harness.js';

const groups = { eth0: 1, eth1: 2 };

describe('devgroup', () => {
	it('matches the group of the input and output interfaces', () => {
		assert.equal(evaluate('-A FORWARD -m devgroup --src-group 1 --dst-group 0x2 -j ACCEPT', 'devgroup', makePacket({ out: 'eth1' }), { groups }).verdict, null);
		assert.equal(evaluate('-A FORWARD -m devgroup --src-group 0x1/0x1 -j ACCEPT', 'devgroup', makePacket({ in: 'eth0' }), { groups: { eth0: 3 } }).verdict, null);
	});

	it('says which group it saw', () => {
		assertNoMatch(evaluate('-A FORWARD -m devgroup --src-group 2 -j ACCEPT', 'devgroup', makePacket(), { groups }).verdict, /^input interface eth0 is in group 1, not 2$/);
		assertNoMatch(evaluate('-A OUTPUT -m devgroup --src-group 2 -j ACCEPT', 'devgroup', makePacket({ in: undefined, local: true }), { groups }).verdict, /no input interface here \(OUTPUT\)/);
	});

	it('negates', () => {
		assert.equal(evaluate('-A FORWARD -m devgroup ! --src-group 2 -j ACCEPT', 'devgroup', makePacket(), { groups }).verdict, null);
		assertNoMatch(evaluate('-A FORWARD -m devgroup ! --src-group 1 -j ACCEPT', 'devgroup', makePacket(), { groups }).verdict, /which is excluded by 1/);
	});

	it('assumes the default group for an interface the host state lacks', () => {
		const { verdict, env } = evaluate('-A FORWARD -m devgroup --src-group default -j ACCEPT', 'devgroup', makePacket({ in: 'wg0' }), { groups });
		assert.equal(verdict, null);
		assert.match(env.assumptions[0]!, /device group of wg0 is not in the host state: assumed 0/);
	});

	it('rejects bad groups and an empty match', () => {
		assertParseError('-A FORWARD -m devgroup --src-group 1/x -j ACCEPT', '1/x', /group mask/);
		assertParseError('-A FORWARD -m devgroup -j ACCEPT', 'devgroup', /needs --src-group or --dst-group/);
	});
});
