import assert from 'node:assert/strict';
import { test } from 'node:test';
import ipaddr from 'ipaddr.js';
import { prng } from '../../bench/kube-gen.js';
import { parseIp } from '../../source/packet/address.js';

/** What parseIp gave before its quick dotted-quad reader: ipaddr.js's four-part decimal check and parse. */
function throughIpaddr(text: string): { family: 4 | 6; words: number[] } | undefined {
	if (ipaddr.IPv4.isValidFourPartDecimal(text)) return { family: 4, words: [ipaddr.parse(text).toByteArray().reduce((a, b) => a * 256 + b, 0)] };
	if (ipaddr.IPv6.isValid(text)) return { family: 6, words: [] };
	return undefined;
}

test('parseIp reads dotted quads as ipaddr.js does: the same words, the same refusals', () => {
	const random = prng(11);
	const part = () => String(Math.floor(random() * 300));
	const texts = ['0.0.0.0', '255.255.255.255', '01.2.3.4', '1.2.3', '1.2.3.4.5', '1..2.3', '256.1.1.1', '1.2.3.4 ', '', '.1.2.3', '1.2.3.', '00.1.1.1', '10.0.0.010', '::1', '1.2.3.-4', '4294967295', '0x1.2.3.4', '::ffff:1.2.3.4'];
	for (let i = 0; i < 20_000; i++) {
		const parts = [part(), part(), part(), part()];
		if (random() < 0.1) parts[i % 4] = `0${parts[i % 4]}`;
		texts.push(parts.join('.'));
	}
	for (const text of texts) {
		const expected = throughIpaddr(text);
		const got = parseIp(text);
		if (expected?.family === 6) assert.equal(got?.family, 6, text);
		else assert.deepEqual(got && { family: got.family, words: [...got.words] }, expected, JSON.stringify(text));
	}
});
