import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNoMatch, assertParseError, evaluate, makePacket } from './harness.js';

describe('policy', () => {
	it('takes every packet to have policy none, and says so', () => {
		const { verdict, env } = evaluate('-A POSTROUTING -m policy --dir out --pol none -j MASQUERADE', 'policy', makePacket(), { table: 'nat' });
		assert.equal(verdict, null);
		assert.match(env.assumptions[0]!, /no IPsec is modelled/);
	});

	it('does not match --pol ipsec', () => {
		const line = '-A INPUT -m policy --dir in --pol ipsec --strict --reqid 1 --proto esp --mode tunnel --tunnel-src 192.0.2.1 --next --proto ah -j ACCEPT';
		assertNoMatch(evaluate(line, 'policy').verdict, /^the packet has no IPsec policy \(--dir in\); --pol ipsec needs one$/);
	});

	it('refuses a direction the hook cannot have', () => {
		assertNoMatch(evaluate('-A OUTPUT -m policy --dir in --pol none -j ACCEPT', 'policy').verdict, /--dir in is not valid in OUTPUT/);
	});

	it('accepts negated elements', () => {
		assertNoMatch(evaluate('-A FORWARD -m policy --dir out --pol ipsec ! --spi 0x100 -j ACCEPT', 'policy').verdict, /no IPsec policy/);
	});

	it('rejects missing or contradictory options', () => {
		assertParseError('-A INPUT -m policy --pol none -j ACCEPT', 'policy', /needs --dir in\|out/);
		assertParseError('-A INPUT -m policy --dir sideways --pol none -j ACCEPT', 'sideways', /expected in or out/);
		assertParseError('-A INPUT -m policy --dir in --pol none --strict -j ACCEPT', 'policy', /--pol none takes no --strict/);
		assertParseError('-A INPUT -m policy --dir in --pol ipsec --proto gre -j ACCEPT', 'gre', /expected ah, esp or ipcomp/);
	});
});
