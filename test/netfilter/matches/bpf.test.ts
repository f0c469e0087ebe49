import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNoMatch, assertParseError, evaluate } from './harness.js';

describe('bpf', () => {
	it('assumes the program does not match, and says so', () => {
		const { verdict, env } = evaluate('-A INPUT -m bpf --bytecode "4,48 0 0 9,21 0 1 6,6 0 0 1,6 0 0 0" -j ACCEPT', 'bpf');
		assertNoMatch(verdict, /^the inline bytecode is assumed not to match$/);
		assert.match(env.assumptions[0]!, /netsleuth does not run BPF/);
	});

	it('negated, it matches', () => {
		assert.equal(evaluate('-A INPUT -m bpf ! --object-pinned /sys/fs/bpf/prog -j ACCEPT', 'bpf').verdict, null);
	});

	it('rejects malformed bytecode', () => {
		assertParseError('-A INPUT -m bpf --bytecode "4,48 0 0" -j ACCEPT', '"4,48 0 0"', /expected bytecode/);
		assertParseError('-A INPUT -m bpf -j ACCEPT', 'bpf', /needs --bytecode or --object-pinned/);
	});
});
