import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNoMatch, assertParseError, evaluate, makePacket } from './harness.js';

const dccpPacket = makePacket({ proto: 33, tcpFlags: undefined, dport: 5004 });

describe('dccp', () => {
	it('matches ports exactly', () => {
		assert.equal(evaluate('-A INPUT -p dccp -m dccp --dport 5004 -j ACCEPT', 'dccp', dccpPacket).verdict, null);
		assert.equal(evaluate('-A INPUT -p dccp --destination-port 5000:5010 -j ACCEPT', 'dccp', dccpPacket).verdict, null);
	});

	it('says which port differs, or that it is not DCCP', () => {
		assertNoMatch(evaluate('-A INPUT -p dccp -m dccp --sport 22 -j ACCEPT', 'dccp', dccpPacket).verdict, /^source port 40000 is not 22$/);
		assertNoMatch(evaluate('-A INPUT -p dccp -m dccp --sport 22 -j ACCEPT', 'dccp', makePacket()).verdict, /not a DCCP packet/);
	});

	it('negates; assumes types and options and says so', () => {
		assert.equal(evaluate('-A INPUT -p dccp -m dccp ! --dport 22 -j ACCEPT', 'dccp', dccpPacket).verdict, null);
		const types = evaluate('-A INPUT -p dccp -m dccp --dccp-types REQUEST,RESPONSE -j ACCEPT', 'dccp', dccpPacket);
		assert.equal(types.verdict, null);
		assert.match(types.env.assumptions[0]!, /DCCP packet type is not modelled/);
		assertNoMatch(evaluate('-A INPUT -p dccp -m dccp --dccp-option 32 -j ACCEPT', 'dccp', dccpPacket).verdict, /DCCP option 32 is assumed absent/);
		assert.equal(evaluate('-A INPUT -p dccp -m dccp ! --dccp-option 32 -j ACCEPT', 'dccp', dccpPacket).verdict, null);
	});

	it('rejects unknown types', () => {
		assertParseError('-A INPUT -p dccp -m dccp --dccp-types REQUEST,HELLO -j ACCEPT', 'REQUEST,HELLO', /unknown DCCP packet type "HELLO"/);
		assertParseError('-A INPUT -p dccp -m dccp --dccp-option 256 -j ACCEPT', '256', /DCCP option number \(0–255\)/);
		assertParseError('-A INPUT -m dccp --dport 1 -j ACCEPT', 'dccp', /needs -p dccp/);
	});
});
