import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNoMatch, assertParseError, evaluate, HOST_ADDRESSES, ip, makePacket } from './harness.js';

const host = { table: 'raw', addresses: HOST_ADDRESSES };

describe('rpfilter', () => {
	it('assumes an ordinary source passes, and says so', () => {
		const { verdict, env } = evaluate('-A PREROUTING -m rpfilter -j ACCEPT', 'rpfilter', makePacket({ src: ip('198.51.100.7') }), host);
		assert.equal(verdict, null);
		assert.match(env.assumptions[0]!, /source 198\.51\.100\.7 is assumed to pass \(the route back to it leaves through the input interface eth0\)/);
	});

	it('fails a source that is one of the host\'s addresses unless --accept-local', () => {
		assertNoMatch(evaluate('-A PREROUTING -m rpfilter -j ACCEPT', 'rpfilter', makePacket({ src: ip('10.0.0.2') }), host).verdict, /^source 10\.0\.0\.2 is an address of this host \(--accept-local not given\)$/);
		assert.equal(evaluate('-A PREROUTING -m rpfilter --accept-local -j ACCEPT', 'rpfilter', makePacket({ src: ip('10.0.0.2') }), host).verdict, null);
		assert.equal(evaluate('-A PREROUTING -m rpfilter -j ACCEPT', 'rpfilter', makePacket({ in: 'lo', src: ip('10.0.0.2') }), host).verdict, null);
	});

	it('inverts with --invert', () => {
		assert.equal(evaluate('-A PREROUTING -m rpfilter --invert -j DROP', 'rpfilter', makePacket({ src: ip('10.0.0.2') }), host).verdict, null);
		assertNoMatch(evaluate('-A PREROUTING -m rpfilter --invert -j DROP', 'rpfilter', makePacket({ src: ip('198.51.100.7') }), host).verdict, /--invert matches only failures/);
	});

	it('is only for raw and mangle', () => {
		assertParseError('-A INPUT -m rpfilter -j DROP', 'rpfilter', /only valid in the raw and mangle tables/);
		assertParseError('-A PREROUTING -m rpfilter --strict -j DROP', '--strict', /unknown option --strict for rpfilter/, { table: 'raw' });
		assertParseError('-A PREROUTING -m rpfilter --loose 1 -j DROP', '1', /takes no value/, { table: 'raw' });
	});
});
