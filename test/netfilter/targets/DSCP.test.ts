import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyRule, assertParseError, makePacket, parseRule } from './env.js';

describe('DSCP', () => {
	it('rewrites the DSCP bits and keeps ECN', () => {
		const packet = makePacket({ tos: 0x03 });
		const { outcome, env } = applyRule('mangle', '-A POSTROUTING -j DSCP --set-dscp 0x2e', packet);
		assert.deepEqual(outcome, { kind: 'continue' });
		assert.equal(packet.tos, 0xbb);
		assert.equal(env.rewrites[0]!.description, 'DSCP 0x00 → 0x2e (TOS 0x03 → 0xbb)');
		assert.equal(env.rewrites[0]!.before.tos, 0x03);
	});

	it('knows the class names, in any case', () => {
		const dscp = (cls: string) => parseRule('mangle', `-A PREROUTING -j DSCP --set-dscp-class ${cls}`).rule.target!.options;
		assert.equal(dscp('EF'), 0x2e);
		assert.equal(dscp('af41'), 0x22);
		assert.equal(dscp('CS7'), 0x38);
		assert.equal(dscp('be'), 0);
	});

	it('records nothing when the DSCP is already right (IPv6 traffic class too)', () => {
		assert.equal(applyRule('mangle', '-A PREROUTING -j DSCP --set-dscp 46', makePacket({ family: 6, tos: 0xb8 })).env.rewrites.length, 0);
	});

	it('checks values, classes, exclusivity and the table', () => {
		assertParseError('mangle', '-A PREROUTING -j DSCP --set-dscp 64', '64', /DSCP value \(0–63\)/);
		assertParseError('mangle', '-A PREROUTING -j DSCP --set-dscp-class AF14', 'AF14', /invalid DSCP class/);
		assertParseError('mangle', '-A PREROUTING -j DSCP --set-dscp 1 --set-dscp-class EF', '--set-dscp-class', /cannot be used together/);
		assertParseError('filter', '-A INPUT -j DSCP --set-dscp 1', 'DSCP', /only valid in the mangle table/);
		assertParseError('mangle', '-A PREROUTING -j DSCP', 'DSCP', /needs --set-dscp/);
	});
});
