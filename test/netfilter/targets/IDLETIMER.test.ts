import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyRule, assertParseError, parseRule } from './env.js';

describe('IDLETIMER', () => {
	it('continues', () => {
		assert.deepEqual(applyRule('mangle', '-A POSTROUTING -o wlan0 -j IDLETIMER --timeout 60 --label wlan0 --alarm').outcome, { kind: 'continue' });
		assert.deepEqual(parseRule('raw', '-A OUTPUT -j IDLETIMER --timeout 5 --label x').rule.target!.options, { timeout: 5, label: 'x', alarm: false });
	});

	it('needs --timeout (not 0) and --label; a long label is cut at 27', () => {
		assertParseError('filter', '-A INPUT -j IDLETIMER --label x', 'IDLETIMER', /needs --timeout/);
		assertParseError('filter', '-A INPUT -j IDLETIMER --timeout 5', 'IDLETIMER', /needs --label/);
		assertParseError('filter', '-A INPUT -j IDLETIMER --timeout 0 --label y', '0', /timeout in seconds \(1–/);
		const long = parseRule('filter', `-A INPUT -j IDLETIMER --timeout 5 --label ${'a'.repeat(28)}`);
		assert.equal((long.rule.target!.options as { label: string }).label, 'a'.repeat(27));
		assert.match(long.warnings[0]!.text, /27 characters/);
	});
});
