import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyRule, assertParseError, makePacket } from './env.js';

describe('HL', () => {
	it('rewrites the IPv6 hop limit', () => {
		const packet = makePacket({ family: 6, ttl: 64 });
		const { outcome, env } = applyRule('mangle', '-A PREROUTING -j HL --hl-dec 1', packet);
		assert.deepEqual(outcome, { kind: 'continue' });
		assert.equal(packet.ttl, 63);
		assert.equal(env.rewrites[0]!.description, 'hop limit 64 → 63');
		const inc = makePacket({ family: 6, ttl: 254 });
		applyRule('mangle', '-A OUTPUT -j HL --hl-inc 2', inc);
		assert.equal(inc.ttl, 255);
	});

	it('is IPv6-only, mangle-only, and checks values', () => {
		assertParseError('mangle', '-A PREROUTING -j HL --hl-set 1', 'HL', /IPv6-only/, 4);
		assertParseError('filter', '-A INPUT -j HL --hl-set 1', 'HL', /only valid in the mangle table/, 6);
		assertParseError('mangle', '-A PREROUTING -j HL --hl-dec 0', '0', /value \(1–255\)/, 6);
		assertParseError('mangle', '-A PREROUTING -j HL --ttl-set 1', '--ttl-set', /unknown option --ttl-set for HL/, 6);
	});
});
