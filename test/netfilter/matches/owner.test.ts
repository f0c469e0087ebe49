import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNoMatch, assertParseError, evaluate, makePacket } from './harness.js';

const sent = (uid?: number, gid?: number) => makePacket({ local: true, in: undefined, out: 'eth0', uid, gid });

describe('owner', () => {
	it('matches the sending socket\'s uid and gid, ranges included', () => {
		assert.equal(evaluate('-A OUTPUT -m owner --uid-owner 1000 -j ACCEPT', 'owner', sent(1000)).verdict, null);
		assert.equal(evaluate('-A OUTPUT -m owner --uid-owner 1000-1999 --gid-owner 100 -j ACCEPT', 'owner', sent(1500, 100)).verdict, null);
		assert.equal(evaluate('-A OUTPUT -m owner --uid-owner root -j ACCEPT', 'owner', sent(0)).verdict, null);
		assert.equal(evaluate('-A OUTPUT -m owner --socket-exists -j ACCEPT', 'owner', sent(1000)).verdict, null);
	});

	it('says why not: another user, no socket, wrong hook', () => {
		assertNoMatch(evaluate('-A OUTPUT -m owner --uid-owner 1000 -j ACCEPT', 'owner', sent(33)).verdict, /^socket uid 33 is not 1000$/);
		assertNoMatch(evaluate('-A POSTROUTING -m owner --uid-owner 1000 -j ACCEPT', 'owner', makePacket(), { table: 'mangle' }).verdict, /no local socket/);
		assertNoMatch(evaluate('-A INPUT -m owner --uid-owner 1000 -j ACCEPT', 'owner', sent(1000)).verdict, /only valid in OUTPUT and POSTROUTING/);
	});

	it('negates: a packet without a socket matches only when every option is negated', () => {
		assert.equal(evaluate('-A OUTPUT -m owner ! --uid-owner 1000 -j ACCEPT', 'owner', sent(33)).verdict, null);
		assertNoMatch(evaluate('-A OUTPUT -m owner ! --uid-owner 1000 -j ACCEPT', 'owner', sent(1000)).verdict, /^socket uid 1000 is 1000, which is excluded$/);
		assert.equal(evaluate('-A POSTROUTING -m owner ! --socket-exists -j ACCEPT', 'owner', makePacket(), { table: 'mangle' }).verdict, null);
		assertNoMatch(evaluate('-A OUTPUT -m owner ! --socket-exists -j ACCEPT', 'owner', sent(1000)).verdict, /has a local socket/);
	});

	it('assumes an unknown uid is not the one named, and says so', () => {
		const { verdict, env } = evaluate('-A OUTPUT -m owner --uid-owner 1000 -j ACCEPT', 'owner', sent());
		assertNoMatch(verdict, /socket uid unknown is not 1000/);
		assert.ok(env.assumptions.some((a) => /sending socket's uid is unknown: the packet is assumed not to belong to 1000/.test(a)));
		const named = evaluate('-A OUTPUT -m owner --uid-owner tor -j ACCEPT', 'owner', sent(110));
		assert.match(named.warnings[0]!.text, /user "tor" is resolved by iptables on the host/);
		assert.ok(named.env.assumptions.some((a) => /id of user tor is unknown/.test(a)));
	});

	it('rejects removed and incomplete options', () => {
		assertParseError('-A OUTPUT -m owner --pid-owner 1 -j ACCEPT', '--pid-owner', /removed from the kernel/);
		assertParseError('-A OUTPUT -m owner --uid-owner 10-5 -j ACCEPT', '10-5', /expected a user id or range/);
		assertParseError('-A OUTPUT -m owner --suppl-groups -j ACCEPT', 'owner', /--suppl-groups needs --gid-owner/);
	});
});
