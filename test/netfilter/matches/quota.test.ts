import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNoMatch, assertParseError, evaluate } from './harness.js';

describe('quota', () => {
	it('assumes the quota is not spent, and says so', () => {
		const { verdict, env } = evaluate('-A FORWARD -m quota --quota 1073741824 -j ACCEPT', 'quota');
		assert.equal(verdict, null);
		assert.match(env.assumptions[0]!, /-m quota 1073741824: .*assumed not spent/);
	});

	it('negated, it does not match', () => {
		assertNoMatch(evaluate('-A FORWARD -m quota ! --quota 100 -j DROP', 'quota').verdict, /matches only once the quota is spent/);
	});

	it('needs a byte count', () => {
		assertParseError('-A FORWARD -m quota --quota 1G -j ACCEPT', '1G', /expected a number of bytes/);
		assertParseError('-A FORWARD -m quota -j ACCEPT', 'quota', /needs --quota/);
	});
});
