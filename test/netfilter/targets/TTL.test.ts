import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyRule, assertParseError, makePacket } from './env.js';

describe('TTL', () => {
	it('sets, decrements and increments, stopping at 0 and 255', () => {
		const set = makePacket({ ttl: 64 });
		const { outcome, env } = applyRule('mangle', '-A PREROUTING -j TTL --ttl-set 128', set);
		assert.deepEqual(outcome, { kind: 'continue' });
		assert.equal(set.ttl, 128);
		assert.equal(env.rewrites[0]!.description, 'TTL 64 → 128');
		const dec = makePacket({ ttl: 3 });
		applyRule('mangle', '-A PREROUTING -j TTL --ttl-dec 5', dec);
		assert.equal(dec.ttl, 0);
		const inc = makePacket({ ttl: 250 });
		applyRule('mangle', '-A FORWARD -j TTL --ttl-inc 10', inc);
		assert.equal(inc.ttl, 255);
	});

	it('records nothing when the TTL does not change', () => {
		assert.equal(applyRule('mangle', '-A PREROUTING -j TTL --ttl-set 64', makePacket({ ttl: 64 })).env.rewrites.length, 0);
	});

	it('checks ranges, exclusivity, the table and the family', () => {
		assertParseError('mangle', '-A PREROUTING -j TTL --ttl-dec 0', '0', /value \(1–255\)/);
		assertParseError('mangle', '-A PREROUTING -j TTL --ttl-set 256', '256', /value \(0–255\)/);
		assertParseError('mangle', '-A PREROUTING -j TTL --ttl-set 1 --ttl-dec 1', '--ttl-dec', /cannot be used together with "--ttl-set"/);
		assertParseError('filter', '-A INPUT -j TTL --ttl-set 1', 'TTL', /only valid in the mangle table/);
		assertParseError('mangle', '-A PREROUTING -j TTL --ttl-set 1', 'TTL', /IPv4-only/, 6);
		assertParseError('mangle', '-A PREROUTING -j TTL', 'TTL', /needs --ttl-set/);
	});
});
