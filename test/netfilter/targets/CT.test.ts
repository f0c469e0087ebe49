import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyRule, assertParseError, makePacket, parseRule } from './env.js';

describe('CT', () => {
	it('--notrack leaves the packet untracked and goes on', () => {
		const packet = makePacket({ ctState: 'ESTABLISHED' });
		const { outcome, env } = applyRule('raw', '-A PREROUTING -p udp --dport 53 -j CT --notrack', packet);
		assert.deepEqual(outcome, { kind: 'continue' });
		assert.equal(env.untracked, 1);
		assert.equal(packet.ctState, 'UNTRACKED');
	});

	it('does nothing to a packet an earlier rule already untracked (the kernel ignores a second template)', () => {
		const packet = makePacket({ ctState: 'UNTRACKED' });
		assert.equal(applyRule('raw', '-A PREROUTING -j CT --notrack', packet).env.untracked, 0);
		assert.deepEqual(applyRule('raw', '-A PREROUTING -j CT --zone 5', packet).env.assumptions, []);
	});

	it('states zone, helper and timeout policy as assumptions', () => {
		const line = '-A PREROUTING -p tcp -j CT --helper ftp --timeout slow --zone 5 --ctevents new,destroy --expevents new';
		assert.deepEqual(parseRule('raw', line).rule.target!.options, { notrack: false, helper: 'ftp', timeout: 'slow', zone: 5 });
		const { outcome, env } = applyRule('raw', line);
		assert.deepEqual(outcome, { kind: 'continue' });
		assert.equal(env.untracked, 0);
		assert.equal(env.assumptions.length, 3);
		assert.match(env.assumptions.join('\n'), /zone 5/);
		assert.match(env.assumptions.join('\n'), /ftp helper/);
		assert.match(env.assumptions.join('\n'), /timeout policy "slow"/);
	});

	it('accepts --zone mark and per-direction zones; plain -j CT changes nothing', () => {
		assert.deepEqual(parseRule('raw', '-A OUTPUT -j CT --zone-orig mark --zone-reply 6').rule.target!.options, { notrack: false, zoneOrig: 'mark', zoneReply: 6 });
		const { env } = applyRule('raw', '-A OUTPUT -j CT');
		assert.deepEqual([env.assumptions, env.rewrites, env.untracked], [[], [], 0]);
	});

	it('warns that --notrack makes the other options moot', () => {
		assert.match(parseRule('raw', '-A PREROUTING -j CT --notrack --zone 5').warnings[0]!.text, /ignores the other CT options/);
	});

	it('is refused outside raw, and checks its values', () => {
		assertParseError('mangle', '-A PREROUTING -j CT --notrack', 'CT', /only valid in the raw table/);
		assertParseError('raw', '-A PREROUTING -j CT --zone 65536', '65536', /zone id \(0–65535\)/);
		assertParseError('raw', '-A PREROUTING -j CT --ctevents new,bogus', 'new,bogus', /unknown event type "bogus"/);
		assertParseError('raw', '-A PREROUTING -j CT --notrack x', 'x', /takes no value/);
	});
});
