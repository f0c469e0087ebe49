import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNoMatch, assertParseError, evaluate, makePacket } from './harness.js';

describe('connbytes', () => {
	it('knows the counters of a connection\'s first packet', () => {
		assert.equal(evaluate('-A FORWARD -m connbytes --connbytes 0:3 --connbytes-dir both --connbytes-mode packets -j ACCEPT', 'connbytes').verdict, null);
		assert.equal(evaluate('-A FORWARD -m connbytes --connbytes 60 --connbytes-dir original --connbytes-mode bytes -j ACCEPT', 'connbytes', makePacket({ length: 60 })).verdict, null);
		assertNoMatch(evaluate('-A FORWARD -m connbytes --connbytes 1 --connbytes-dir reply --connbytes-mode packets -j ACCEPT', 'connbytes').verdict, /^the connection's reply packets count is 0 \(first packet\), not within 1 packets \(reply\)$/);
	});

	it('assumes later packets are within the range, and says so', () => {
		const { verdict, env } = evaluate('-A FORWARD -m connbytes --connbytes 10485760: --connbytes-dir both --connbytes-mode bytes -j ACCEPT', 'connbytes', makePacket({ ctState: 'ESTABLISHED' }));
		assert.equal(verdict, null);
		assert.match(env.assumptions[0]!, /counters are not known; assumed within 10485760: bytes \(both\)/);
	});

	it('negates', () => {
		assertNoMatch(evaluate('-A FORWARD -m connbytes ! --connbytes 0:3 --connbytes-dir both --connbytes-mode packets -j ACCEPT', 'connbytes').verdict, /not outside 0:3 packets/);
		assertNoMatch(evaluate('-A PREROUTING -m connbytes --connbytes 0:3 --connbytes-dir both --connbytes-mode packets -j ACCEPT', 'connbytes', makePacket(), { table: 'raw' }).verdict, /raw table conntrack has not yet seen/);
	});

	it('needs all three options', () => {
		assertParseError('-A FORWARD -m connbytes --connbytes 0:3 --connbytes-dir both -j ACCEPT', 'connbytes', /needs --connbytes-mode/);
		assertParseError('-A FORWARD -m connbytes --connbytes 0:3 --connbytes-dir up --connbytes-mode bytes -j ACCEPT', 'up', /expected original, reply or both/);
		assertParseError('-A FORWARD -m connbytes --connbytes x --connbytes-dir both --connbytes-mode bytes -j ACCEPT', 'x', /expected a count or range/);
	});
});
