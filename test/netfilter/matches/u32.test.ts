import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNoMatch, assertParseError, evaluate, makePacket } from './harness.js';

const payload = new TextEncoder().encode('\x12\x34\x56\x78rest');
const tcp = makePacket({ tcpOptions: [], length: 48, payload });

describe('u32', () => {
	it('reads the IP header: version, protocol, addresses', () => {
		assert.equal(evaluate('-A INPUT -m u32 --u32 "0>>28=4" -j ACCEPT', 'u32', tcp).verdict, null);
		assert.equal(evaluate('-A INPUT -m u32 --u32 "6&0xFF=6 && 12=0x0a000001" -j ACCEPT', 'u32', tcp).verdict, null);
		assert.equal(evaluate('-A INPUT -m u32 --u32 "0&0xFFFF=0x30:0x40" -j ACCEPT', 'u32', tcp).verdict, null); // total length 48
	});

	it('follows @ to the transport header and the payload', () => {
		// Destination port: skip the IP header by its IHL.
		assert.equal(evaluate('-A INPUT -m u32 --u32 "0>>22&0x3C@0&0xFFFF=80" -j ACCEPT', 'u32', tcp).verdict, null);
		// The first payload word: IHL, then the TCP data offset.
		assert.equal(evaluate('-A INPUT -m u32 --u32 "0>>22&0x3C@12>>26&0x3C@0=0x12345678" -j ACCEPT', 'u32', tcp).verdict, null);
	});

	it('knows a value cannot match when its known bits differ', () => {
		assertNoMatch(evaluate('-A INPUT -m u32 --u32 "4&0xFFFF0000=0x1234" -j ACCEPT', 'u32', tcp).verdict, /cannot take any value in 0x1234/);
	});

	it('says which test failed', () => {
		assertNoMatch(evaluate('-A INPUT -m u32 --u32 "0>>28=4&&6&0xFF=17" -j ACCEPT', 'u32', tcp).verdict, /^"6&0xFF=17": the value is 0x6$/);
		assertNoMatch(evaluate('-A INPUT -m u32 --u32 "100=1" -j ACCEPT', 'u32', tcp).verdict, /offset 100 is past the end of the 48-byte packet/);
	});

	it('negates', () => {
		assert.equal(evaluate('-A INPUT -m u32 ! --u32 "6&0xFF=17" -j ACCEPT', 'u32', tcp).verdict, null);
		assertNoMatch(evaluate('-A INPUT -m u32 ! --u32 "6&0xFF=6" -j ACCEPT', 'u32', tcp).verdict, /every u32 test holds, which ! --u32 excludes/);
	});

	it('assumes a test on unknown bytes fails, and says so', () => {
		const { verdict, env } = evaluate('-A INPUT -m u32 --u32 "4&0xFFFF0000=0x12340000" -j ACCEPT', 'u32', tcp); // the IP id
		assertNoMatch(verdict, /reads bytes netsleuth does not know/);
		assert.match(env.assumptions[0]!, /the test is assumed to fail/);
		const noPayload = evaluate('-A INPUT -m u32 --u32 "0>>22&0x3C@12>>26&0x3C@0=1" -j ACCEPT', 'u32', makePacket({ length: 100 }));
		assertNoMatch(noPayload.verdict, /depends on bytes netsleuth does not know/);
	});

	it('reports grammar errors at the character', () => {
		assertParseError('-A INPUT -m u32 --u32 0>>28=4&&9<6=17 -j ACCEPT', '6=17', /a second "<" was expected/);
		assertParseError('-A INPUT -m u32 --u32 0>>28 -j ACCEPT', '0>>28', /location ends without "="/);
		assertParseError('-A INPUT -m u32 --u32 0=x -j ACCEPT', 'x', /a number was expected at character 3/);
		assertParseError('-A INPUT -m u32 --u32 0=1;2 -j ACCEPT', ';2', /"," or "&&" was expected/);
	});
});
