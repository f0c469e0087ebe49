import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertParseError, parseRule } from './env.js';

// MASQUERADE and REDIRECT read their options through one parser (nat-range.ts parseToPorts).
describe('MASQUERADE and REDIRECT options', () => {
	it('--to-ports N or N-M with a protocol that has ports; their flags take no argument', () => {
		const masquerade = parseRule('nat', '-A POSTROUTING -o eth0 -p tcp -j MASQUERADE --to-ports 1024-2047 --random-fully').rule.target!.options;
		assert.deepEqual(masquerade, { ports: { from: 1024, to: 2047 } });
		const redirect = parseRule('nat', '-A PREROUTING -p udp -j REDIRECT --to-ports 53 --random').rule.target!.options;
		assert.deepEqual(redirect, { ports: { from: 53, to: 53 } });
		assert.deepEqual(parseRule('nat', '-A POSTROUTING -o eth0 -j MASQUERADE').rule.target!.options, {});
	});

	it('--to-ports without such a protocol is refused at the target, a flag of the other target where it stands', () => {
		assertParseError('nat', '-A PREROUTING -j REDIRECT --to-ports 8080', 'REDIRECT', /Need TCP, UDP, SCTP or DCCP/);
		assertParseError('nat', '-A POSTROUTING -p icmp -j MASQUERADE --to-ports 1', 'MASQUERADE', /Need TCP, UDP, SCTP or DCCP/);
		assertParseError('nat', '-A PREROUTING -p tcp -j REDIRECT --random-fully', '--random-fully', /REDIRECT/);
	});
});
