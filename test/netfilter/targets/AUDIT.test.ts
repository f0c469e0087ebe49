import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyRule, assertParseError, parseRule } from './env.js';

describe('AUDIT', () => {
	it('continues; the type is read in any case', () => {
		assert.deepEqual(applyRule('filter', '-A INPUT -j AUDIT --type drop').outcome, { kind: 'continue' });
		assert.equal(parseRule('filter', '-A INPUT -j AUDIT --type DROP').rule.target!.options, 'drop');
	});

	it('needs a known --type', () => {
		assertParseError('filter', '-A INPUT -j AUDIT', 'AUDIT', /needs --type/);
		assertParseError('filter', '-A INPUT -j AUDIT --type acc', 'acc', /bad AUDIT type "acc"/);
	});
});
