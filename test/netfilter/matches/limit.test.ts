import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNoMatch, assertParseError, evaluate } from './harness.js';

describe('limit', () => {
	it('assumes the rate is not exceeded, and says so', () => {
		const { verdict, env } = evaluate('-A INPUT -p icmp -m limit --limit 1/sec --limit-burst 4 -j ACCEPT', 'limit');
		assert.equal(verdict, null);
		assert.match(env.assumptions[0]!, /-m limit 1\/sec \(burst 4\): earlier packets are unknown, so the rate is assumed not exceeded/);
		assert.equal(evaluate('-A FORWARD -m limit --limit 10/day', 'limit').verdict, null);
		assert.match(evaluate('-A INPUT -m limit -j LOG', 'limit').env.assumptions[0]!, /3\/hour \(burst 5\)/);
	});

	it('accepts unit prefixes and 10000/sec, the fastest rate', () => {
		assert.equal(evaluate('-A INPUT -m limit --limit 5/m -j LOG', 'limit').verdict, null);
		assert.equal(evaluate('-A INPUT -m limit --limit 10000/sec --limit-burst 100 -j RETURN', 'limit').verdict, null);
	});

	it('negated, it does not match (the packet is assumed under the limit)', () => {
		assertNoMatch(evaluate('-A INPUT -m limit ! --limit 5/min -j DROP', 'limit').verdict, /matches only packets over the limit \(assumed not\)/);
	});

	it('rejects bad rates', () => {
		assertParseError('-A INPUT -m limit --limit 5/fortnight -j LOG', '5/fortnight', /bad rate unit "\/fortnight"/);
		assertParseError('-A INPUT -m limit --limit 10001/sec -j LOG', '10001/sec', /rate too fast/);
		assertParseError('-A INPUT -m limit --limit-burst 100000 -j LOG', '100000', /burst size \(0–10000\)/);
	});
});
