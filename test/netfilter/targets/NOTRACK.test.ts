import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyRule, assertParseError, makePacket } from './env.js';

describe('NOTRACK', () => {
	it('untracks the packet and goes on', () => {
		const packet = makePacket();
		const { outcome, env } = applyRule('raw', '-A PREROUTING -j NOTRACK', packet);
		assert.deepEqual(outcome, { kind: 'continue' });
		assert.equal(env.untracked, 1);
		assert.equal(packet.ctState, 'UNTRACKED');
	});

	it('is raw-only and takes no options', () => {
		assertParseError('filter', '-A INPUT -j NOTRACK', 'NOTRACK', /only valid in the raw table/);
		assertParseError('raw', '-A OUTPUT -j NOTRACK --zone 1', '--zone', /unknown option --zone for NOTRACK/);
	});
});
