import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertParseError, evaluate, makePacket } from './harness.js';

describe('statistic', () => {
	it('always takes probability 1 and never probability 0, recording the branch', () => {
		const always = evaluate('-A INPUT -m statistic --mode random --probability 1 -j ACCEPT', 'statistic');
		assert.equal(always.verdict, null);
		assert.deepEqual(always.env.branches, [{ probability: 1, taken: true }]);
		assert.match(always.env.assumptions[0]!, /matches with probability 1; this flow takes the branch/);
		const never = evaluate('-A INPUT -m statistic --mode random --probability 0 -j ACCEPT', 'statistic');
		assert.match(never.verdict!, /branch not taken/);
		assert.deepEqual(never.env.branches, [{ probability: 0, taken: false }]);
	});

	it('chooses from the flow hash: the same flow always takes the same branch, different flows spread', () => {
		let taken = 0;
		for (let hash = 0; hash < 4000; hash++) {
			const a = evaluate('-A INPUT -m statistic --mode random --probability 0.25 -j ACCEPT', 'statistic', makePacket(), { flowHash: hash * 0x9e3779b1 });
			const b = evaluate('-A INPUT -m statistic --mode random --probability 0.25 -j ACCEPT', 'statistic', makePacket(), { flowHash: hash * 0x9e3779b1 });
			assert.equal(a.verdict, b.verdict);
			if (a.verdict === null) taken++;
		}
		assert.ok(taken > 800 && taken < 1200, `taken ${taken} of 4000`);
	});

	it('negates: ! --probability P matches with 1 - P', () => {
		const { verdict, env } = evaluate('-A INPUT -m statistic --mode random ! --probability 0 -j ACCEPT', 'statistic');
		assert.equal(verdict, null);
		assert.deepEqual(env.branches, [{ probability: 1, taken: true }]);
	});

	it('derives the nth counter from the flow hash, and says so', () => {
		const { verdict, env } = evaluate('-A INPUT -m statistic --mode nth --every 1 -j ACCEPT', 'statistic');
		assert.equal(verdict, null);
		assert.match(env.assumptions[0]!, /packet counter is unknown; assumed 0/);
		const three = evaluate('-A INPUT -m statistic --mode nth --every 3 --packet 2 -j ACCEPT', 'statistic');
		assert.equal(three.env.branches[0]!.probability, 1 / 3);
	});

	it('rejects options of the other mode and bad values', () => {
		assertParseError('-A INPUT -m statistic --mode random --probability 1.5 -j ACCEPT', '1.5', /probability between 0 and 1/);
		assertParseError('-A INPUT -m statistic --mode random --probability 0.5 --every 2 -j ACCEPT', '--every', /only for --mode nth/);
		assertParseError('-A INPUT -m statistic --mode nth --every 2 --packet 2 -j ACCEPT', '--packet', /must be below --every 2/);
		assertParseError('-A INPUT -m statistic --probability 0.5 -j ACCEPT', 'statistic', /needs --mode random\|nth/);
	});
});
