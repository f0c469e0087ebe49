import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNoMatch, assertParseError, evaluate } from './harness.js';

describe('connlimit', () => {
	it('assumes the first packet’s own connection is the only one: --connlimit-upto matches', () => {
		const { verdict, env } = evaluate('-A INPUT -p tcp -m connlimit --connlimit-upto 10 --connlimit-mask 24 --connlimit-saddr -j ACCEPT', 'connlimit');
		assert.equal(verdict, null);
		assert.match(env.assumptions[0]!, /the other connections of source 10\.0\.0\.1\/24 are not known; the count is assumed to be 1 \(this connection only\)/);
	});

	it('--connlimit-upto 0 never matches: the kernel counts the packet’s own connection (checked in a namespace)', () => {
		assertNoMatch(evaluate('-A INPUT -m connlimit --connlimit-upto 0 -j ACCEPT', 'connlimit').verdict, /^1 connection of source 10\.0\.0\.1 \(assumed\) is above 0$/);
	});

	it('--connlimit-above does not match, and says why', () => {
		assertNoMatch(evaluate('-A FORWARD -s 192.168.1.1 -p tcp --syn -m connlimit --connlimit-above 15 -j REJECT', 'connlimit').verdict, /^1 connection of source 10\.0\.0\.1 \(assumed\) is not above 15$/);
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
