import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNoMatch, assertParseError, evaluate } from './harness.js';

describe('realm', () => {
	it('assumes realm 0, and says so', () => {
		const { verdict, env } = evaluate('-A FORWARD -m realm --realm 0 -j ACCEPT', 'realm');
		assert.equal(verdict, null);
		assert.match(env.assumptions[0]!, /route's realm is assumed to be 0/);
	});

	it('does not match another realm', () => {
		assertNoMatch(evaluate('-A FORWARD -m realm --realm 0x10/0xff -j ACCEPT', 'realm').verdict, /^the realm \(assumed 0 & 0xff\) is not 0x10\/0xff$/);
	});

	it('negates', () => {
		assert.equal(evaluate('-A FORWARD -m realm ! --realm 5 -j ACCEPT', 'realm').verdict, null);
	});

	it('is IPv4 only and warns about names', () => {
		assertParseError('-A FORWARD -m realm --realm 1 -j ACCEPT', 'realm', /IPv4 match/, { family: 6 });
		const { warnings } = evaluate('-A FORWARD -m realm --realm cosmos -j ACCEPT', 'realm');
		assert.match(warnings[0]!.text, /rt_realms/);
	});
});
