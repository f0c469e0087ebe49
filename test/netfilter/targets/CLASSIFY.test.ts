import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyRule, assertParseError, parseRule } from './env.js';

describe('CLASSIFY', () => {
	it('sets the priority (shown as a rewrite) and continues', () => {
		const { outcome, env } = applyRule('mangle', '-A POSTROUTING -o eth0 -j CLASSIFY --set-class 0001:0010');
		assert.deepEqual(outcome, { kind: 'continue' });
		assert.deepEqual(env.rewrites.map((r) => r.description), ['priority (tc class) → 0001:0010']);
	});

	it('reads MAJOR:MINOR as hexadecimal, as sscanf("%x:%x") does', () => {
		const cls = (text: string) => parseRule('filter', `-A OUTPUT -j CLASSIFY --set-class ${text}`);
		assert.deepEqual(cls('1:10').rule.target!.options, { major: 1, minor: 0x10 });
		assert.deepEqual(cls('0x1:0xff').rule.target!.options, { major: 1, minor: 0xff });
		const junk = cls('1:2z');
		assert.deepEqual(junk.rule.target!.options, { major: 1, minor: 2 });
		assert.match(junk.warnings[0]!.text, /"z" after the class is ignored/);
		const big = cls('10000:1');
		assert.deepEqual(big.rule.target!.options, { major: 0, minor: 1 });
		assert.match(big.warnings[0]!.text, /16 bits each/);
	});

	it('refuses a class without both halves', () => {
		assertParseError('mangle', '-A POSTROUTING -j CLASSIFY --set-class 1', '1', /bad class "1"/);
		assertParseError('mangle', '-A POSTROUTING -j CLASSIFY --set-class g:1', 'g:1', /bad class/);
		assertParseError('mangle', '-A POSTROUTING -j CLASSIFY', 'CLASSIFY', /needs --set-class/);
	});
});
