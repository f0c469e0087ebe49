import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNoMatch, assertParseError, evaluate } from './harness.js';

describe('hashlimit', () => {
	it('assumes each group is under its rate: --hashlimit-upto matches', () => {
		const { verdict, env } = evaluate('-A INPUT -m hashlimit --hashlimit-upto 50/min --hashlimit-burst 10 --hashlimit-mode srcip,dstport --hashlimit-name ssh -j ACCEPT', 'hashlimit');
		assert.equal(verdict, null);
		assert.match(env.assumptions[0]!, /-m hashlimit ssh: .*rate per srcip,dstport is assumed below 50\/min \(burst 10\)/);
	});

	it('--hashlimit-above does not match, and says why', () => {
		const line = '-A FORWARD -p tcp -m multiport ! --dports 80,443 -m hashlimit --hashlimit-above 10/sec --hashlimit-burst 20 --hashlimit-mode srcip --hashlimit-name aflood --hashlimit-srcmask 8 -j LOG';
		const { verdict, env } = evaluate(line, 'hashlimit');
		assertNoMatch(verdict, /^--hashlimit-above 10\/sec: the rate is assumed below it$/);
		assert.match(env.assumptions[0]!, /\(source \/8\)/);
	});

	it('negation swaps upto and above; the old --hashlimit is upto', () => {
		assertNoMatch(evaluate('-A INPUT -m hashlimit ! --hashlimit-upto 1kb/s --hashlimit-name n -j DROP', 'hashlimit').verdict, /assumed below/);
		const old = evaluate('-A INPUT -m hashlimit --hashlimit 5/sec --hashlimit-mode dstip --hashlimit-name old -j ACCEPT', 'hashlimit');
		assert.equal(old.verdict, null);
		assert.match(old.warnings[0]!.text, /old option --hashlimit/);
	});

	it('rejects a missing name, unknown modes and both rates', () => {
		assertParseError('-A INPUT -m hashlimit --hashlimit-upto 5/sec -j ACCEPT', 'hashlimit', /needs --hashlimit-name/);
		assertParseError('-A INPUT -m hashlimit --hashlimit-upto 5/sec --hashlimit-mode srcmac --hashlimit-name x -j ACCEPT', 'srcmac', /unknown hashlimit mode "srcmac"/);
		assertParseError('-A INPUT -m hashlimit --hashlimit-upto 5/sec --hashlimit-above 6/sec --hashlimit-name x -j ACCEPT', '--hashlimit-above', /one of --hashlimit-upto and --hashlimit-above/);
		assertParseError('-A INPUT -m hashlimit --hashlimit-upto 5/sec --hashlimit-srcmask 33 --hashlimit-name x -j ACCEPT', '33', /prefix length \(0–32\)/);
	});
});
