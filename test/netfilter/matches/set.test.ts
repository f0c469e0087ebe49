import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNoMatch, assertParseError, evaluate, ip, makePacket } from './harness.js';

const ipsets = {
	blocked: { type: 'hash:net', members: ['10.0.0.0/8', '10.0.0.0/24 nomatch', '192.0.2.0/24 timeout 300'] },
	web: { type: 'hash:ip,port', members: ['10.0.0.2,tcp:80', '10.0.0.2,udp:53'] },
	triple: { type: 'hash:ip,port,ip', members: ['10.0.0.2,tcp:80,10.0.0.1'] },
	ports: { type: 'bitmap:port', members: ['22', '8000-8080'] },
	hosts: { type: 'hash:ip', members: ['10.0.0.1'] },
	v6: { type: 'hash:ip', members: ['2001:db8::1'] },
	all: { type: 'list:set', members: ['v6', 'hosts'] },
};

describe('set', () => {
	it('finds addresses, address-port pairs and ports in the sets', () => {
		assert.equal(evaluate('-A INPUT -m set --match-set hosts src -j DROP', 'set', makePacket(), { ipsets }).verdict, null);
		assert.equal(evaluate('-A INPUT -m set --match-set web dst,dst -j ACCEPT', 'set', makePacket(), { ipsets }).verdict, null);
		assert.equal(evaluate('-A INPUT -m set --match-set triple dst,dst,src -j ACCEPT', 'set', makePacket(), { ipsets }).verdict, null);
		assert.equal(evaluate('-A INPUT -m set --match-set ports dst -j ACCEPT', 'set', makePacket({ dport: 8008 }), { ipsets }).verdict, null);
		assert.equal(evaluate('-A INPUT -m set --match-set all src -j ACCEPT', 'set', makePacket(), { ipsets }).verdict, null);
		assert.equal(evaluate('-A INPUT -m set --match-set blocked src -j DROP', 'set', makePacket({ src: ip('192.0.2.7') }), { ipsets }).verdict, null);
	});

	it('says why a packet is not in a set', () => {
		assertNoMatch(evaluate('-A INPUT -m set --match-set web dst,dst -j ACCEPT', 'set', makePacket({ dport: 443 }), { ipsets }).verdict, /^dst 10\.0\.0\.2:443, dst 10\.0\.0\.2:443 is not in web$/);
		assertNoMatch(evaluate('-A INPUT -m set --match-set web dst -j ACCEPT', 'set', makePacket(), { ipsets }).verdict, /has 2 dimensions but the rule gives 1/);
		assertNoMatch(evaluate('-A INPUT -m set --match-set v6 src -j ACCEPT', 'set', makePacket(), { ipsets }).verdict, /holds IPv6 members/);
	});

	it('lets the most specific nomatch element win, and --return-nomatch reverse it', () => {
		assertNoMatch(evaluate('-A INPUT -m set --match-set blocked src -j DROP', 'set', makePacket(), { ipsets }).verdict, /hits the nomatch element 10\.0\.0\.0\/24 of blocked/);
		assert.equal(evaluate('-A INPUT -m set --match-set blocked src -j DROP', 'set', makePacket({ src: ip('10.9.0.1') }), { ipsets }).verdict, null);
		assert.equal(evaluate('-A INPUT -m set --match-set blocked src --return-nomatch -j DROP', 'set', makePacket(), { ipsets }).verdict, null);
		assertNoMatch(evaluate('-A INPUT -m set --match-set blocked src --return-nomatch -j DROP', 'set', makePacket({ src: ip('10.9.0.1') }), { ipsets }).verdict, /--return-nomatch counts only nomatch elements/);
	});

	it('negates the lookup', () => {
		assert.equal(evaluate('-A INPUT -m set ! --match-set hosts src -j DROP', 'set', makePacket({ src: ip('10.0.0.7') }), { ipsets }).verdict, null);
		assertNoMatch(evaluate('-A INPUT -m set ! --match-set hosts src -j DROP', 'set', makePacket(), { ipsets }).verdict, /is in hosts \(element 10\.0\.0\.1\), which ! --match-set excludes/);
	});

	it('assumes an unknown set holds nothing, and counters as asked', () => {
		const unknown = evaluate('-A FORWARD -m set --match-set docker-ext-bridges-v4 dst -j ACCEPT', 'set', makePacket(), { ipsets });
		assertNoMatch(unknown.verdict, /not in set docker-ext-bridges-v4 \(assumed/);
		assert.match(unknown.env.assumptions[0]!, /ipset docker-ext-bridges-v4 is not in the host state/);
		const counted = evaluate('-A INPUT -m set --match-set hosts src --packets-gt 10 -j DROP', 'set', makePacket(), { ipsets });
		assert.equal(counted.verdict, null);
		assert.match(counted.env.assumptions[0]!, /counters of element 10\.0\.0\.1 in hosts are unknown/);
	});

	it('reads the old --set option with a warning', () => {
		const { verdict, warnings } = evaluate('-A INPUT -m set --set hosts src -j DROP', 'set', makePacket(), { ipsets });
		assert.equal(verdict, null);
		assert.match(warnings[0]!.text, /old option --set/);
	});

	it('rejects bad flags, missing arguments and doubled counters', () => {
		assertParseError('-A INPUT -m set --match-set hosts source -j DROP', 'source', /expected up to six comma-separated src or dst/);
		assertParseError('-A INPUT -m set --match-set hosts -j DROP', '--match-set', /expects 2 values, got 1/);
		assertParseError('-A INPUT -m set --match-set hosts src --packets-lt 1 --packets-gt 5 -j DROP', '--packets-gt', /only one of --packets-eq/);
		assertParseError('-A INPUT -m set ! --return-nomatch --match-set hosts src -j DROP', '--return-nomatch', /cannot be negated/);
		assertParseError('-A INPUT -m set --return-nomatch -j DROP', 'set', /needs --match-set/);
	});
});
