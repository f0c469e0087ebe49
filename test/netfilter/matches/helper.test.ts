import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNoMatch, assertParseError, evaluate, makePacket } from './harness.js';

describe('helper', () => {
	it('assumes a RELATED packet was expected by the helper, and says so', () => {
		const { verdict, env } = evaluate('-A FORWARD -m conntrack --ctstate RELATED -m helper --helper ftp -j ACCEPT', 'helper', makePacket({ ctState: 'RELATED' }));
		assert.equal(verdict, null);
		assert.match(env.assumptions[0]!, /RELATED packet is assumed to be expected by helper "ftp"/);
	});

	it('assumes other connections have no helper behind them', () => {
		assertNoMatch(evaluate('-A FORWARD -m helper --helper ftp -j ACCEPT', 'helper').verdict, /^no helper "ftp" is assumed behind this NEW connection$/);
	});

	it('negates; a packet without a connection matches only when negated', () => {
		assert.equal(evaluate('-A FORWARD -m helper ! --helper sip -j ACCEPT', 'helper').verdict, null);
		assert.equal(evaluate('-A FORWARD -m helper ! --helper sip -j ACCEPT', 'helper', makePacket({ ctState: 'INVALID' })).verdict, null);
		assertNoMatch(evaluate('-A FORWARD -m helper --helper sip -j ACCEPT', 'helper', makePacket({ ctState: 'INVALID' })).verdict, /no connection \(INVALID\)/);
	});

	it('needs a name', () => {
		assertParseError('-A FORWARD -m helper -j ACCEPT', 'helper', /needs --helper NAME/);
		assertParseError('-A FORWARD -m helper --helper -j ACCEPT', '--helper', /expects a value/);
	});
});
