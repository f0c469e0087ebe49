import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyRule, assertParseError } from './env.js';

describe('CHECKSUM', () => {
	it('continues and changes nothing netsleuth shows', () => {
		const { outcome, env } = applyRule('mangle', '-A POSTROUTING -p udp -m udp --dport 68 -j CHECKSUM --checksum-fill');
		assert.deepEqual(outcome, { kind: 'continue' });
		assert.deepEqual([env.rewrites, env.assumptions], [[], []]);
	});

	it('needs --checksum-fill, in mangle', () => {
		assertParseError('mangle', '-A POSTROUTING -j CHECKSUM', 'CHECKSUM', /needs --checksum-fill/);
		assertParseError('filter', '-A OUTPUT -j CHECKSUM --checksum-fill', 'CHECKSUM', /only valid in the mangle table/);
		assertParseError('mangle', '-A POSTROUTING -j CHECKSUM --checksum-fill 1', '1', /takes no value/);
	});
});
