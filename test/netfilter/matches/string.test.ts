import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNoMatch, assertParseError, evaluate, makePacket } from './harness.js';

const http = makePacket({ tcpFlags: 0x18, tcpOptions: [], payload: new TextEncoder().encode('GET /index.html HTTP/1.1\r\nHost: example.com\r\n\r\n') });

describe('string', () => {
	it('finds text and hex patterns in the payload', () => {
		assert.equal(evaluate('-A FORWARD -m string --string "Host: example" --algo bm -j DROP', 'string', http).verdict, null);
		assert.equal(evaluate('-A FORWARD -m string --hex-string "|0d0a|Host" --algo kmp -j DROP', 'string', http).verdict, null);
		assert.equal(evaluate('-A FORWARD -m string --string host: --algo bm --icase -j DROP', 'string', http).verdict, null);
	});

	it('honours --from and --to, counted from the IP header', () => {
		// IPv4 20 + TCP 20: the payload starts at offset 40; "GET" is at 40..42.
		assert.equal(evaluate('-A FORWARD -m string --string GET --algo bm --from 40 --to 43 -j DROP', 'string', http).verdict, null);
		assertNoMatch(evaluate('-A FORWARD -m string --string GET --algo bm --from 41 -j DROP', 'string', http).verdict, /^the packet does not contain "GET" between offsets 41 and 65535$/);
	});

	it('negates', () => {
		assert.equal(evaluate('-A FORWARD -m string ! --string POST --algo bm -j DROP', 'string', http).verdict, null);
		assertNoMatch(evaluate('-A FORWARD -m string ! --string GET --algo bm -j DROP', 'string', http).verdict, /contains "GET", which is excluded/);
	});

	it('assumes an unknown payload does not contain the pattern', () => {
		const { verdict, env } = evaluate('-A FORWARD -m string --string X-Kazaa-User --algo bm -j DROP', 'string', makePacket());
		assertNoMatch(verdict, /assumed absent \(the payload is unknown\)/);
		assert.match(env.assumptions[0]!, /payload is unknown: the packet is assumed not to contain "X-Kazaa-User"/);
	});

	it('reads the old form without --algo, with a warning', () => {
		const { warnings } = evaluate('-A FORWARD -p tcp -m string --string X-Kazaa-User -j DROP', 'string', http);
		assert.match(warnings[0]!.text, /without --algo/);
	});

	it('rejects bad hex, long patterns and a missing pattern', () => {
		assertParseError('-A FORWARD -m string --hex-string "|0g|" --algo bm -j DROP', '"|0g|"', /"0g" at character 2 is not a hex byte/);
		assertParseError(`-A FORWARD -m string --string ${'x'.repeat(129)} --algo bm -j DROP`, 'x'.repeat(129), /at most 128/);
		assertParseError('-A FORWARD -m string --algo bm -j DROP', 'string', /needs --string or --hex-string/);
		assertParseError('-A FORWARD -m string --string a --algo rk -j DROP', 'rk', /expected the algorithm bm or kmp/);
	});
});
