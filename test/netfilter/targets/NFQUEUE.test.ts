import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyRule, assertParseError, parseRule } from './env.js';

describe('NFQUEUE', () => {
	it('queues to one queue and states who decides', () => {
		const { outcome, env } = applyRule('filter', '-A INPUT -j NFQUEUE --queue-num 5', undefined, { hook: 'INPUT' });
		assert.deepEqual(outcome, { kind: 'queue', queue: '5' });
		assert.match(env.assumptions[0]!, /bound to NFQUEUE 5 .* if none is, the kernel drops the packet/);
	});

	it('defaults to queue 0; --queue-bypass says the packet goes on when nobody listens', () => {
		assert.deepEqual(applyRule('filter', '-A INPUT -j NFQUEUE').outcome, { kind: 'queue', queue: '0' });
		const { env } = applyRule('filter', '-A INPUT -j NFQUEUE --queue-num 0 --queue-bypass');
		assert.match(env.assumptions[0]!, /if none is, --queue-bypass lets the packet go on as if this table had accepted it/);
	});

	it('balances over a range (by hash or by CPU), which it states', () => {
		const { outcome, env } = applyRule('filter', '-A FORWARD -j NFQUEUE --queue-balance 2:5', undefined, { hook: 'FORWARD' });
		assert.deepEqual(outcome, { kind: 'queue', queue: '2-5' });
		assert.match(env.assumptions[0]!, /hash of the addresses/);
		assert.match(applyRule('filter', '-A FORWARD -j NFQUEUE --queue-balance 1:4 --queue-cpu-fanout').env.assumptions[0]!, /CPU number mod 4/);
		assert.deepEqual(parseRule('filter', '-A INPUT -j NFQUEUE --queue-balance 1:4 --queue-cpu-fanout --queue-bypass').rule.target!.options, { first: 1, last: 4, bypass: true, cpuFanout: true });
	});

	it('refuses what iptables refuses', () => {
		assertParseError('filter', '-A INPUT -j NFQUEUE --queue-num 65536', '65536', /queue number \(0–65535\)/);
		assertParseError('filter', '-A INPUT -j NFQUEUE --queue-balance 3:3', '3:3', /3 should be less than 3/);
		assertParseError('filter', '-A INPUT -j NFQUEUE --queue-balance 2', '2', /bad range "2"/);
		assertParseError('filter', '-A INPUT -j NFQUEUE --queue-balance 0:65535', '0:65535', /at most 65535 queues/);
		assertParseError('filter', '-A INPUT -j NFQUEUE --queue-num 1 --queue-balance 1:2', '--queue-balance', /cannot be used together with "--queue-num"/);
		assertParseError('filter', '-A INPUT -j NFQUEUE --queue-cpu-fanout', '--queue-cpu-fanout', /requires --queue-balance/);
		assertParseError('filter', '-A INPUT -j NFQUEUE --fail-open', '--fail-open', /unknown option --fail-open for NFQUEUE/);
	});
});
