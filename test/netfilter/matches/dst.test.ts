import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNoMatch, assertParseError, evaluate, makePacket } from './harness.js';

const v6 = makePacket({ family: 6 });

describe('dst', () => {
	it('never matches: no destination options header is modelled, and it says so', () => {
		const { verdict, env } = evaluate('-A INPUT -m dst --dst-len 0 -j DROP', 'dst', v6);
		assertNoMatch(verdict, /^the packet has no IPv6 destination options header$/);
		assert.match(env.assumptions[0]!, /no destination options header/);
		assertNoMatch(evaluate('-A INPUT -m dst ! --dst-len 0 --dst-opts 201 -j DROP', 'dst', v6).verdict, /no IPv6 destination options/);
	});

	it('is IPv6 only and takes its own options', () => {
		assertParseError('-A INPUT -m dst --dst-len 0 -j DROP', 'dst', /IPv6 match/);
		assertParseError('-A INPUT -m dst --hbh-len 0 -j DROP', '--hbh-len', /unknown option --hbh-len for dst/, { family: 6 });
	});
});
