import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNoMatch, assertParseError, evaluate, makePacket } from './harness.js';

describe('frag', () => {
	it('a packet not marked as a fragment has no fragment header', () => {
		const { verdict, env } = evaluate('-A INPUT -m frag --fragmore -j DROP', 'frag', makePacket({ family: 6 }));
		assertNoMatch(verdict, /^the packet has no IPv6 fragment header$/);
		assert.match(env.assumptions[0]!, /no fragment header/);
	});

	it('a non-first fragment is not --fragfirst; its other fields are assumed', () => {
		const fragment = makePacket({ family: 6, fragment: true, sport: undefined, dport: undefined });
		assertNoMatch(evaluate('-A INPUT -m frag --fragfirst -j DROP', 'frag', fragment).verdict, /non-first fragment \(--fragfirst\)/);
		const { verdict, env } = evaluate('-A INPUT -m frag ! --fragid 5:9 --fraglast -j DROP', 'frag', fragment);
		assert.equal(verdict, null);
		assert.match(env.assumptions[0]!, /fragment header's fields are not known: assumed to satisfy ! --fragid 5:9 --fraglast/);
	});

	it('is IPv6 only', () => {
		assertParseError('-A INPUT -m frag --fragfirst -j DROP', 'frag', /IPv6 match/);
		assertParseError('-A INPUT -m frag --fragid x -j DROP', 'x', /fragment id/, { family: 6 });
	});
});
