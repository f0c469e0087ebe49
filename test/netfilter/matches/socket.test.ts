import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNoMatch, assertParseError, evaluate, makePacket } from './harness.js';

describe('socket', () => {
	it('assumes no local socket, and says so', () => {
		const { verdict, env } = evaluate('-A PREROUTING -p tcp -m socket --transparent -j DIVERT', 'socket', makePacket(), { table: 'mangle' });
		assertNoMatch(verdict, /^no local socket is assumed for the packet$/);
		assert.match(env.assumptions[0]!, /host's sockets are not known.*\(--transparent\)/);
	});

	it('works only in PREROUTING and INPUT', () => {
		assertNoMatch(evaluate('-A OUTPUT -m socket -j ACCEPT', 'socket', makePacket(), { table: 'mangle' }).verdict, /PREROUTING and INPUT \(here OUTPUT\)/);
		assertNoMatch(evaluate('-A INPUT -m socket --nowildcard --restore-skmark -j ACCEPT', 'socket').verdict, /no local socket/);
	});

	it('takes no negation and no values', () => {
		assertParseError('-A INPUT -m socket ! --transparent -j ACCEPT', '--transparent', /cannot be negated/);
		assertParseError('-A INPUT -m socket --transparent 1 -j ACCEPT', '1', /takes no value/);
	});
});
