import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNoMatch, assertParseError, evaluate, makePacket } from './harness.js';

const sent = makePacket({ local: true, in: undefined });

describe('cgroup', () => {
	it('assumes a local process is not in the named cgroup, and says so', () => {
		const { verdict, env } = evaluate('-A OUTPUT -m cgroup --path system.slice/nginx.service -j ACCEPT', 'cgroup', sent);
		assertNoMatch(verdict, /assumed not to be in cgroup path system\.slice\/nginx\.service/);
		assert.match(env.assumptions[0]!, /cgroup of the sending process is unknown/);
	});

	it('negated, it matches a local packet', () => {
		assert.equal(evaluate('-A OUTPUT -m cgroup ! --cgroup 0x100001 -j ACCEPT', 'cgroup', sent).verdict, null);
	});

	it('never matches a packet without a local socket', () => {
		assertNoMatch(evaluate('-A FORWARD -m cgroup ! --path user.slice -j ACCEPT', 'cgroup').verdict, /no local socket, so no cgroup/);
	});

	it('rejects a bad class id and two selectors', () => {
		assertParseError('-A OUTPUT -m cgroup --cgroup one -j ACCEPT', 'one', /net_cls class id/);
		assertParseError('-A OUTPUT -m cgroup --path a --cgroup 1 -j ACCEPT', '--cgroup', /--path or --cgroup, once/);
	});
});
