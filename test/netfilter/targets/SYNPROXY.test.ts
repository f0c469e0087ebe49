import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TCP_FLAGS } from '../../../source/packet/packet.js';
import { applyRule, makePacket, parseRule } from './env.js';

const RULE = '-A INPUT -p tcp -m tcp --dport 80 -m state --state INVALID,UNTRACKED -j SYNPROXY --sack-perm --timestamp --wscale 7 --mss 1460';
const { SYN, ACK, FIN, PSH, RST } = TCP_FLAGS as Record<string, number>;

describe('SYNPROXY', () => {
	it('parses what iptables-save writes', () => {
		assert.deepEqual(parseRule('filter', RULE).rule.target!.options, { mss: 1460, wscale: 7, sackPerm: true, timestamp: true, ecn: false });
	});

	it('consumes a bare SYN (answered with a syncookie SYN/ACK)', () => {
		const { outcome, env } = applyRule('filter', RULE, makePacket({ tcpFlags: SYN!, ctState: 'UNTRACKED' }), { hook: 'INPUT' });
		assert.deepEqual(outcome, { kind: 'drop' });
		assert.match(env.assumptions[0]!, /SYN\/ACK carrying a syncookie/);
	});

	it('consumes an ACK either way, stating the cookie check', () => {
		const { outcome, env } = applyRule('filter', RULE, makePacket({ tcpFlags: ACK! | PSH!, ctState: 'INVALID' }), { hook: 'INPUT' });
		assert.deepEqual(outcome, { kind: 'drop' });
		assert.match(env.assumptions[0]!, /syncookie: if valid/);
	});

	it('lets other segments go on', () => {
		for (const tcpFlags of [SYN! | ACK!, FIN! | ACK!, RST!]) {
			const { outcome, env } = applyRule('filter', RULE, makePacket({ tcpFlags, ctState: 'INVALID' }), { hook: 'INPUT' });
			assert.deepEqual([outcome, env.assumptions], [{ kind: 'continue' }, []]);
		}
	});

	it('keeps the low 16 bits of a too large --mss, as iptables does', () => {
		const { rule, warnings } = parseRule('filter', '-A INPUT -p tcp -j SYNPROXY --mss 65536');
		assert.equal((rule.target!.options as { mss: number }).mss, 0);
		assert.match(warnings[0]!.text, /low 16 bits/);
	});
});
