import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyRule, assertParseError, parseRule } from './env.js';

describe('CONNSECMARK', () => {
	it('--save continues silently; --restore states the SELinux assumption', () => {
		assert.equal(parseRule('security', '-A INPUT -j CONNSECMARK --save').rule.target!.options, 'save');
		const save = applyRule('security', '-A INPUT -j CONNSECMARK --save', undefined, { hook: 'INPUT' });
		assert.deepEqual([save.outcome, save.env.assumptions], [{ kind: 'continue' }, []]);
		const restore = applyRule('mangle', '-A OUTPUT -j CONNSECMARK --restore');
		assert.deepEqual(restore.outcome, { kind: 'continue' });
		assert.match(restore.env.assumptions[0]!, /--restore/);
	});

	it('needs exactly one of --save and --restore, in mangle or security', () => {
		assertParseError('security', '-A INPUT -j CONNSECMARK --save --restore', '--restore', /cannot be used together with "--save"/);
		assertParseError('security', '-A INPUT -j CONNSECMARK', 'CONNSECMARK', /needs --save or --restore/);
		assertParseError('filter', '-A INPUT -j CONNSECMARK --save', 'CONNSECMARK', /only valid in the mangle, security table/);
	});
});
