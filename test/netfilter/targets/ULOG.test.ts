import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyRule, assertParseError, parseRule } from './env.js';

describe('ULOG', () => {
	it('continues, and warns that current kernels no longer have it', () => {
		const line = '-A INPUT -j ULOG --ulog-nlgroup 2 --ulog-prefix "dropped:" --ulog-cprange 64 --ulog-qthreshold 10';
		const { rule, warnings } = parseRule('filter', line);
		assert.deepEqual(rule.target!.options, { group: 2, prefix: 'dropped:' });
		assert.match(warnings.map((w) => w.text).join('\n'), /removed from Linux 3\.17/);
		assert.deepEqual(applyRule('filter', line).outcome, { kind: 'continue' });
	});

	it('checks ranges as iptables does', () => {
		assertParseError('filter', '-A INPUT -j ULOG --ulog-nlgroup 33', '33', /netlink group \(1–32\)/);
		assertParseError('filter', '-A INPUT -j ULOG --ulog-qthreshold 51', '51', /queue threshold \(1–50\)/);
	});

	it('is IPv4-only', () => {
		assertParseError('filter', '-A INPUT -j ULOG', 'ULOG', /IPv4-only/, 6);
	});
});
