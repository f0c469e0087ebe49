import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNoMatch, assertParseError, evaluate, makePacket } from './harness.js';

const v6 = makePacket({ family: 6 });

describe('ipv6header', () => {
	it('sees the upper-layer protocol and, for a fragment, the fragment header', () => {
		const { verdict, env } = evaluate('-A INPUT -m ipv6header --header prot -j ACCEPT', 'ipv6header', v6);
		assert.equal(verdict, null);
		assert.match(env.assumptions[0]!, /carry no extension headers other than the fragment header/);
		assert.equal(evaluate('-A INPUT -m ipv6header --header frag,prot -j ACCEPT', 'ipv6header', makePacket({ family: 6, fragment: true })).verdict, null);
		assert.equal(evaluate('-A INPUT -m ipv6header --header ipv6-nonxt -j ACCEPT', 'ipv6header', makePacket({ family: 6, proto: 59 })).verdict, null);
	});

	it('needs exactly the headers named; with --soft, at least them', () => {
		const fragment = makePacket({ family: 6, fragment: true });
		assertNoMatch(evaluate('-A INPUT -m ipv6header --header hop,prot -j ACCEPT', 'ipv6header', v6).verdict, /^the packet's headers are prot; --header hop,prot does not hold$/);
		assertNoMatch(evaluate('-A INPUT -m ipv6header --header prot -j ACCEPT', 'ipv6header', fragment).verdict, /headers are frag,prot/);
		assert.equal(evaluate('-A INPUT -m ipv6header --header prot --soft -j ACCEPT', 'ipv6header', fragment).verdict, null);
		assertNoMatch(evaluate('-A INPUT -m ipv6header --header hop,prot --soft -j ACCEPT', 'ipv6header', v6).verdict, /--header hop,prot --soft does not hold/);
	});

	it('negates', () => {
		assert.equal(evaluate('-A INPUT -m ipv6header ! --header frag -j ACCEPT', 'ipv6header', v6).verdict, null);
		assertNoMatch(evaluate('-A INPUT -m ipv6header ! --header prot -j ACCEPT', 'ipv6header', v6).verdict, /! --header prot does not hold/);
	});

	it('rejects unknown headers and IPv4', () => {
		assertParseError('-A INPUT -m ipv6header --header jumbo -j ACCEPT', 'jumbo', /unknown IPv6 header "jumbo"/, { family: 6 });
		assertParseError('-A INPUT -m ipv6header --header prot -j ACCEPT', 'ipv6header', /IPv6 match/);
	});
});
