import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyRule, assertParseError, parseRule } from './env.js';

describe('TRACE', () => {
	it('continues, with no warning in raw', () => {
		const { warnings } = parseRule('raw', '-A PREROUTING -p tcp -j TRACE');
		assert.deepEqual(warnings, []);
		const { outcome, env } = applyRule('raw', '-A PREROUTING -p tcp -j TRACE');
		assert.deepEqual(outcome, { kind: 'continue' });
		assert.equal(env.rewrites.length, 0);
	});

	it('is accepted outside raw (iptables-nft) with a warning (iptables-legacy refuses it)', () => {
		const { warnings } = parseRule('filter', '-A INPUT -j TRACE');
		assert.equal(warnings.length, 1);
		assert.equal(warnings[0]!.line, 2);
		assert.equal(warnings[0]!.column, '-A INPUT -j TRACE'.indexOf('TRACE') + 1);
		assert.match(warnings[0]!.text, /iptables-legacy accepts it only in raw/);
	});

	it('takes no options', () => {
		assertParseError('raw', '-A OUTPUT -j TRACE --foo', '--foo', /unknown option --foo for TRACE/);
	});
});
