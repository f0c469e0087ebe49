import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertParseError, evaluate, makePacket } from './harness.js';

describe('nfacct', () => {
	it('always matches, with no assumption', () => {
		const { verdict, env } = evaluate('-A KUBE-FORWARD -m conntrack --ctstate INVALID -m nfacct --nfacct-name ct_state_invalid_dropped_pkts -j DROP'.replace('KUBE-FORWARD', 'FORWARD'), 'nfacct', makePacket({ ctState: 'INVALID' }));
		assert.equal(verdict, null);
		assert.equal(env.assumptions.length, 0);
	});

	it('takes no negation', () => {
		assertParseError('-A INPUT -m nfacct ! --nfacct-name x -j ACCEPT', '--nfacct-name', /cannot be negated/);
	});

	it('needs a name of at most 31 characters', () => {
		assertParseError('-A INPUT -m nfacct -j ACCEPT', 'nfacct', /needs --nfacct-name/);
		assertParseError(`-A INPUT -m nfacct --nfacct-name ${'n'.repeat(32)} -j ACCEPT`, 'n'.repeat(32), /1 to 31 characters/);
	});
});
