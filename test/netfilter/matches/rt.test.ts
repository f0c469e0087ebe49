import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNoMatch, assertParseError, evaluate, makePacket } from './harness.js';

const v6 = makePacket({ family: 6 });

describe('rt', () => {
	it('never matches: netsleuth\'s packets carry no routing header, and it says so', () => {
		const { verdict, env } = evaluate('-A INPUT -m rt --rt-type 0 -j DROP', 'rt', v6);
		assertNoMatch(verdict, /^the packet has no IPv6 routing header$/);
		assert.match(env.assumptions[0]!, /carry no extension headers: no routing header, so the match fails/);
	});

	it('not even negated (the kernel finds no header to test)', () => {
		assertNoMatch(evaluate('-A INPUT -m rt ! --rt-type 0 ! --rt-segsleft 1:3 -j DROP', 'rt', v6).verdict, /no IPv6 routing header/);
		assertNoMatch(evaluate('-A INPUT -m rt --rt-type 0 --rt-0-addrs 2001:db8::1,2001:db8::2 --rt-0-not-strict -j DROP', 'rt', v6).verdict, /no IPv6 routing header/);
	});

	it('is IPv6 only and checks its values', () => {
		assertParseError('-A INPUT -m rt --rt-type 0 -j DROP', 'rt', /IPv6 match/);
		assertParseError('-A INPUT -m rt --rt-type 256 -j DROP', '256', /routing header type/, { family: 6 });
		assertParseError('-A INPUT -m rt --rt-0-addrs 10.0.0.1 -j DROP', '10.0.0.1', /not an IPv6 address/, { family: 6 });
	});
});
