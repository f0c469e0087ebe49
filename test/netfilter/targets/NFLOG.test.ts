import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyRule, assertParseError, makePacket, parseRule } from './env.js';

describe('NFLOG', () => {
	it('parses what iptables-save writes and lets the packet go on', () => {
		const line = '-A INPUT -j NFLOG --nflog-prefix "hello world" --nflog-group 5 --nflog-size 100 --nflog-threshold 3';
		assert.deepEqual(parseRule('filter', line).rule.target!.options, { group: 5, prefix: 'hello world', size: 100, threshold: 3 });
		const packet = makePacket();
		const { outcome, env } = applyRule('filter', line, packet);
		assert.deepEqual(outcome, { kind: 'continue' });
		assert.equal(env.rewrites.length, 0);
		assert.equal(env.assumptions.length, 0);
	});

	it('defaults to group 0 and is valid in any table', () => {
		assert.deepEqual(parseRule('raw', '-A PREROUTING -j NFLOG').rule.target!.options, { group: 0 });
		assert.deepEqual(parseRule('nat', '-A POSTROUTING -j NFLOG --nflog-group 0x10').rule.target!.options, { group: 16 });
	});

	it('warns that --nflog-range does nothing, and refuses it with --nflog-size', () => {
		const { warnings } = parseRule('filter', '-A INPUT -j NFLOG --nflog-range 100');
		assert.match(warnings[0]!.text, /never worked/);
		const line = '-A INPUT -j NFLOG --nflog-range 100 --nflog-size 10';
		assertParseError('filter', line, '--nflog-size', /cannot be used together with "--nflog-range"/);
	});

	it('refuses a group above 65535, an empty prefix and a repeated option', () => {
		assertParseError('filter', '-A INPUT -j NFLOG --nflog-group 65536', '65536', /group \(0–65535\)/);
		assertParseError('filter', '-A INPUT -j NFLOG --nflog-prefix ""', '""', /must not be empty/);
		assertParseError('filter', '-A INPUT -j NFLOG --nflog-group 1 --nflog-group 2', '--nflog-group 2', /only be used once/);
		assertParseError('filter', '-A INPUT -j NFLOG --nflog-bogus 1', '--nflog-bogus', /unknown option --nflog-bogus for NFLOG/);
	});
});
