import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TCP_FLAGS } from '../../../source/packet/packet.js';
import { applyRule, assertParseError, makePacket, parseRule } from './env.js';

const RULE = '-A FORWARD -p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss 1360';

describe('TCPMSS', () => {
	it('lowers the MSS option of a SYN (the value itself is stated, not known)', () => {
		const packet = makePacket({ tcpOptions: [2, 4, 8] });
		const { outcome, env } = applyRule('mangle', RULE, packet);
		assert.deepEqual(outcome, { kind: 'continue' });
		assert.deepEqual(env.rewrites.map((r) => r.description), ['TCP MSS option → at most 1360']);
		assert.match(env.assumptions.join('\n'), /lowered to 1360 only if it is larger/);
	});

	it('adds an MSS option of at most 536 (IPv4) or 1220 (IPv6) to a SYN without one', () => {
		const v4 = makePacket({ tcpOptions: [4] });
		const { env } = applyRule('mangle', RULE, v4);
		assert.deepEqual(env.rewrites.map((r) => r.description), ['TCP MSS option added: 536 (no MSS option was present)']);
		assert.deepEqual(v4.tcpOptions, [4, 2]);
		const v6 = makePacket({ family: 6, tcpOptions: [] });
		applyRule('mangle', '-A FORWARD -p tcp --syn -j TCPMSS --set-mss 1400', v6);
		assert.deepEqual(v6.tcpOptions, [2]);
		const small = makePacket({ tcpOptions: [] });
		assert.match(applyRule('mangle', '-A FORWARD -p tcp -j TCPMSS --set-mss 500', small).env.rewrites[0]!.description, /added: 500/);
	});

	it('assumes a SYN whose options were not given carries an MSS option', () => {
		const { env } = applyRule('mangle', RULE, makePacket());
		assert.match(env.assumptions.join('\n'), /assumed to carry an MSS option/);
		assert.equal(env.rewrites.length, 1);
	});

	it('on a segment without SYN and no payload, adds MSS as the kernel does (iptables-nft allows the rule without --syn)', () => {
		// Checked on Linux 6.18: with "-j TCPMSS --set-mss 1000" and no --syn, pure ACKs left with an MSS option of 536.
		const ack = makePacket({ tcpFlags: TCP_FLAGS.ACK, tcpOptions: [8] });
		const { env } = applyRule('mangle', '-A OUTPUT -p tcp -j TCPMSS --set-mss 1000', ack);
		assert.deepEqual(env.rewrites.map((r) => r.description), ['TCP MSS option added: 536 (no MSS option was present)']);
		assert.match(env.assumptions.join('\n'), /assumed to carry no payload/);
		const data = makePacket({ tcpFlags: TCP_FLAGS.ACK! | TCP_FLAGS.PSH!, tcpOptions: [8], payload: new Uint8Array(10) });
		assert.equal(applyRule('mangle', '-A OUTPUT -p tcp -j TCPMSS --set-mss 1000', data).env.rewrites.length, 0);
	});

	it('--clamp-mss-to-pmtu states the unknown route MTU', () => {
		const { env } = applyRule('mangle', '-A FORWARD -p tcp --syn -j TCPMSS --clamp-mss-to-pmtu', makePacket({ tcpOptions: [2] }));
		assert.match(env.assumptions.join('\n'), /route MTUs are not known .* 1460/);
		assert.match(env.rewrites[0]!.description, /path MTU out, MTU back to the source\) − 40/);
	});

	it('leaves fragments and non-TCP packets alone', () => {
		assert.equal(applyRule('mangle', RULE, makePacket({ fragment: true })).env.rewrites.length, 0);
		assert.equal(applyRule('mangle', RULE, makePacket({ proto: 17 })).env.rewrites.length, 0);
	});

	it('takes the last of --set-mss and --clamp-mss-to-pmtu; checks the range per family', () => {
		assert.equal(parseRule('mangle', '-A FORWARD -p tcp --syn -j TCPMSS --set-mss 1 --clamp-mss-to-pmtu').rule.target!.options, 'pmtu');
		assert.equal(parseRule('mangle', '-A FORWARD -p tcp --syn -j TCPMSS --clamp-mss-to-pmtu --set-mss 1').rule.target!.options, 1);
		assertParseError('mangle', '-A FORWARD -p tcp --syn -j TCPMSS --set-mss 65516', '65516', /MSS \(0–65515\)/);
		assertParseError('mangle', '-A FORWARD -p tcp --syn -j TCPMSS --set-mss 65496', '65496', /MSS \(0–65495\)/, 6);
		assertParseError('mangle', '-A FORWARD -p tcp --syn -j TCPMSS', 'TCPMSS', /needs --set-mss/);
	});
});
