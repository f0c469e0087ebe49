import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNoMatch, assertParseError, evaluate } from './harness.js';

describe('ipvs', () => {
	it('assumes the packet is not IPVS traffic: ! --ipvs matches', () => {
		const { verdict, env } = evaluate('-A POSTROUTING -m ipvs ! --ipvs -j ACCEPT', 'ipvs', undefined, { table: 'nat' });
		assert.equal(verdict, null);
		assert.match(env.assumptions[0]!, /IPVS is not modelled/);
	});

	it('--ipvs and the connection options do not match', () => {
		assertNoMatch(evaluate('-A INPUT -m ipvs --ipvs -j ACCEPT', 'ipvs').verdict, /^the packet is assumed not to be IPVS traffic \(--ipvs\)$/);
		assertNoMatch(evaluate('-A INPUT -m ipvs --vaddr 10.0.0.0/24 --vport 80 --vdir ORIGINAL --vmethod MASQ -j ACCEPT', 'ipvs').verdict, /--vaddr 10\.0\.0\.0\/24 --vport 80 --vdir ORIGINAL --vmethod MASQ needs an IPVS connection/);
		assertNoMatch(evaluate('-A INPUT -m ipvs ! --ipvs ! --vproto tcp -j ACCEPT', 'ipvs').verdict, /needs an IPVS connection/);
	});

	it('rejects bad values', () => {
		assertParseError('-A INPUT -m ipvs --vmethod NAT -j ACCEPT', 'NAT', /expected GATE, IPIP or MASQ/);
		assertParseError('-A INPUT -m ipvs --vdir IN -j ACCEPT', 'IN', /expected ORIGINAL or REPLY/, { occurrence: 1 });
		assertParseError('-A INPUT -m ipvs -j ACCEPT', 'ipvs', /needs at least one option/);
	});
});
