import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyRule, assertParseError, parseRule } from './env.js';

describe('LED', () => {
	it('continues', () => {
		assert.deepEqual(applyRule('filter', '-A INPUT -p tcp --dport 22 -j LED --led-trigger-id ssh --led-delay 1000 --led-always-blink', undefined, { hook: 'INPUT' }).outcome, { kind: 'continue' });
		assert.deepEqual(parseRule('filter', '-A INPUT -j LED --led-trigger-id ssh --led-delay inf').rule.target!.options, { trigger: 'ssh', delay: 'inf', alwaysBlink: false });
	});

	it('needs a trigger id of at most 16 characters and a numeric delay', () => {
		assertParseError('filter', '-A INPUT -j LED', 'LED', /needs --led-trigger-id/);
		assertParseError('filter', '-A INPUT -j LED --led-trigger-id abcdefghijklmnopq', 'abcdefghijklmnopq', /1 to 16 characters/);
		assertParseError('filter', '-A INPUT -j LED --led-trigger-id x --led-delay foo', 'foo', /delay in ms/);
	});
});
