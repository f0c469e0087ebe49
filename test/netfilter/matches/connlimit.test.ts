import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNoMatch, assertParseError, evaluate } from './harness.js';

describe('connlimit', () => {
	it('assumes the count is within the limit: --connlimit-upto matches', () => {
		const { verdict, env } = evaluate('-A INPUT -p tcp -m connlimit --connlimit-upto 10 --connlimit-mask 24 --connlimit-saddr -j ACCEPT', 'connlimit');
		assert.equal(verdict, null);
		assert.match(env.assumptions[0]!, /the connections of source 10\.0\.0\.1\/24 are not known; their number is assumed to be at most 10/);
	});

	it('--connlimit-above does not match, and says why', () => {
		assertNoMatch(evaluate('-A FORWARD -s 192.168.1.1 -p tcp --syn -m connlimit --connlimit-above 15 -j REJECT', 'connlimit').verdict, /^--connlimit-above 15: the connections of source 10\.0\.0\.1 are assumed to be at most 15$/);
	});

	it('! --connlimit-above is --connlimit-upto', () => {
		assert.equal(evaluate('-A INPUT -m connlimit ! --connlimit-above 4 --connlimit-daddr -j ACCEPT', 'connlimit').verdict, null);
	});

	it('rejects a missing or doubled limit and a bad mask', () => {
		assertParseError('-A INPUT -m connlimit --connlimit-mask 24 -j ACCEPT', 'connlimit', /needs --connlimit-upto or --connlimit-above/);
		assertParseError('-A INPUT -m connlimit --connlimit-upto 1 --connlimit-above 2 -j ACCEPT', '--connlimit-above', /one of --connlimit-upto and --connlimit-above/);
		assertParseError('-A INPUT -m connlimit --connlimit-upto 1 --connlimit-mask 33 -j ACCEPT', '33', /prefix length \(0–32\)/);
	});
});
