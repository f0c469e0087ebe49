import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNoMatch, assertParseError, evaluate, makePacket } from './harness.js';

const v6 = makePacket({ family: 6 });

describe('hbh', () => {
	it('never matches: no hop-by-hop header is modelled, and it says so', () => {
		const { verdict, env } = evaluate('-A INPUT -m hbh --hbh-len 8 --hbh-opts 1:4,5 -j DROP', 'hbh', v6);
		assertNoMatch(verdict, /^the packet has no IPv6 hop-by-hop options header$/);
		assert.match(env.assumptions[0]!, /carry no extension headers/);
		assertNoMatch(evaluate('-A INPUT -m hbh ! --hbh-len 8 -j DROP', 'hbh', v6).verdict, /no IPv6 hop-by-hop/);
	});

	it('is IPv6 only and checks its options', () => {
		assertParseError('-A INPUT -m hbh --hbh-len 8 -j DROP', 'hbh', /IPv6 match/);
		assertParseError('-A INPUT -m hbh --hbh-opts 1:x -j DROP', '1:x', /expected type\[:length\]/, { family: 6 });
		assertParseError('-A INPUT -m hbh ! --hbh-opts 1 -j DROP', '--hbh-opts', /cannot be negated/, { family: 6 });
	});
});
