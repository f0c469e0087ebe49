import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNoMatch, assertParseError, evaluate } from './harness.js';

describe('cpu', () => {
	it('assumes CPU 0, and says so', () => {
		const { verdict, env } = evaluate('-A PREROUTING -p tcp --dport 80 -m cpu --cpu 0 -j REDIRECT --to-ports 8080', 'cpu', undefined, { table: 'nat' });
		assert.equal(verdict, null);
		assert.match(env.assumptions[0]!, /CPU that handles the packet is unknown: assumed CPU 0/);
	});

	it('does not match another CPU', () => {
		assertNoMatch(evaluate('-A INPUT -m cpu --cpu 3 -j ACCEPT', 'cpu').verdict, /^the packet is assumed handled by CPU 0, not 3$/);
	});

	it('negates', () => {
		assert.equal(evaluate('-A INPUT -m cpu ! --cpu 3 -j ACCEPT', 'cpu').verdict, null);
		assertNoMatch(evaluate('-A INPUT -m cpu ! --cpu 0 -j ACCEPT', 'cpu').verdict, /which is excluded/);
	});

	it('needs a number', () => {
		assertParseError('-A INPUT -m cpu --cpu first -j ACCEPT', 'first', /expected a CPU number/);
	});
});
