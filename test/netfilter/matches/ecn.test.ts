import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TCP_FLAGS } from '../../../source/packet/packet.js';
import { assertNoMatch, assertParseError, evaluate, makePacket } from './harness.js';

const ece = makePacket({ tcpFlags: TCP_FLAGS.SYN! | TCP_FLAGS.ECE! | TCP_FLAGS.CWR!, tos: 3 });

describe('ecn', () => {
	it('matches the TCP flags and the IP ECN field', () => {
		assert.equal(evaluate('-A INPUT -p tcp -m ecn --ecn-tcp-ece --ecn-tcp-cwr -j ACCEPT', 'ecn', ece).verdict, null);
		assert.equal(evaluate('-A INPUT -m ecn --ecn-ip-ect 3 -j ACCEPT', 'ecn', ece).verdict, null);
	});

	it('says which bit differs', () => {
		assertNoMatch(evaluate('-A INPUT -p tcp -m ecn --ecn-tcp-ece -j ACCEPT', 'ecn', makePacket()).verdict, /^TCP flag ECE is clear$/);
		assertNoMatch(evaluate('-A INPUT -m ecn --ecn-ip-ect 1 -j ACCEPT', 'ecn', makePacket({ tos: 2 })).verdict, /^ECN field 2 \(ECT\(0\)\) is not 1$/);
		assertNoMatch(evaluate('-A INPUT -p tcp -m ecn --ecn-tcp-cwr -j ACCEPT', 'ecn', makePacket({ proto: 17 })).verdict, /not a TCP packet/);
	});

	it('negates each option', () => {
		assert.equal(evaluate('-A INPUT -p tcp -m ecn ! --ecn-tcp-ece -j ACCEPT', 'ecn', makePacket()).verdict, null);
		assertNoMatch(evaluate('-A INPUT -p tcp -m ecn ! --ecn-tcp-cwr -j ACCEPT', 'ecn', ece).verdict, /TCP flag CWR is set, which is excluded/);
		assert.equal(evaluate('-A INPUT -m ecn ! --ecn-ip-ect 0 -j ACCEPT', 'ecn', ece).verdict, null);
	});

	it('rejects bad ECT values and an empty match', () => {
		assertParseError('-A INPUT -m ecn --ecn-ip-ect 4 -j ACCEPT', '4', /ECT value \(0–3\)/);
		assertParseError('-A INPUT -m ecn -j ACCEPT', 'ecn', /needs --ecn-tcp-cwr/);
		assertParseError('-A INPUT -p udp -m ecn --ecn-tcp-ece -j ACCEPT', 'ecn', /need -p tcp/);
	});
});
