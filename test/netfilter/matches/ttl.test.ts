import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNoMatch, assertParseError, evaluate, makePacket } from './harness.js';

describe('ttl', () => {
	it('compares equal, greater and less', () => {
		assert.equal(evaluate('-A INPUT -d 0.0.0.0/1 -m ttl --ttl-eq 1 -j DROP', 'ttl', makePacket({ ttl: 1 })).verdict, null);
		assert.equal(evaluate('-A INPUT -m ttl --ttl-gt 2 -j ACCEPT', 'ttl', makePacket({ ttl: 64 })).verdict, null);
		assert.equal(evaluate('-A INPUT -m ttl --ttl-lt 254 -j ACCEPT', 'ttl', makePacket({ ttl: 64 })).verdict, null);
	});

	it('says why not', () => {
		assertNoMatch(evaluate('-A INPUT -m ttl --ttl-eq 1 -j DROP', 'ttl', makePacket({ ttl: 64 })).verdict, /^TTL 64 is not 1$/);
		assertNoMatch(evaluate('-A INPUT -m ttl --ttl-gt 64 -j DROP', 'ttl', makePacket({ ttl: 64 })).verdict, /^TTL 64 is not above 64$/);
	});

	it('negates --ttl-eq only', () => {
		assert.equal(evaluate('-A INPUT -m ttl ! --ttl-eq 255 -j DROP', 'ttl', makePacket({ ttl: 64 })).verdict, null);
		assertNoMatch(evaluate('-A INPUT -m ttl ! --ttl-eq 64 -j DROP', 'ttl', makePacket({ ttl: 64 })).verdict, /^TTL 64 is 64$/);
		assertParseError('-A INPUT -m ttl ! --ttl-gt 5 -j DROP', '--ttl-gt', /--ttl-gt cannot be negated/);
	});

	it('reads the old --ttl as --ttl-eq, with a warning', () => {
		const { verdict, warnings } = evaluate('-A INPUT -m ttl --ttl 64 -j ACCEPT', 'ttl', makePacket({ ttl: 64 }));
		assert.equal(verdict, null);
		assert.match(warnings[0]!.text, /old option --ttl: write --ttl-eq/);
	});

	it('rejects two comparisons, bad values and IPv6', () => {
		assertParseError('-A INPUT -m ttl --ttl-eq 1 --ttl-gt 5 -j DROP', '--ttl-gt', /takes one of/);
		assertParseError('-A INPUT -m ttl --ttl-eq 256 -j DROP', '256', /TTL \(0–255\)/);
		assertParseError('-A INPUT -m ttl --ttl-eq 1 -j DROP', 'ttl', /ip6tables uses -m hl/, { family: 6 });
	});
});
