import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyRule, assertParseError } from './env.js';

describe('SECMARK', () => {
	it('labels the packet, states the SELinux assumption, and continues', () => {
		const { outcome, env } = applyRule('security', '-A INPUT -p tcp --dport 22 -j SECMARK --selctx system_u:object_r:ssh_packet_t:s0', undefined, { hook: 'INPUT' });
		assert.deepEqual(outcome, { kind: 'continue' });
		assert.deepEqual(env.rewrites.map((r) => r.description), ['security mark → system_u:object_r:ssh_packet_t:s0']);
		assert.match(env.assumptions[0]!, /SELinux policy .* assumed to allow it/);
	});

	it('is valid in mangle and security only, and needs --selctx', () => {
		assert.deepEqual(applyRule('mangle', '-A PREROUTING -j SECMARK --selctx x').outcome, { kind: 'continue' });
		assertParseError('filter', '-A INPUT -j SECMARK --selctx x', 'SECMARK', /only valid in the mangle, security table/);
		assertParseError('security', '-A INPUT -j SECMARK', 'SECMARK', /needs --selctx/);
	});
});
