import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyRule, assertParseError, makePacket, parseRule } from './env.js';

const change = (text: string, family: 4 | 6 = 4) => parseRule('mangle', `-A PREROUTING -j TOS ${text}`, family).rule.target!.options;

describe('TOS', () => {
	it('reduces every spelling to value/mask as iptables-save prints it', () => {
		assert.deepEqual(change('--set-tos 0x10'), { value: 0x10, mask: 0xff });
		assert.deepEqual(change('--set-tos 16/0x3f'), { value: 0x10, mask: 0x3f });
		assert.deepEqual(change('--set-tos Minimize-Delay'), { value: 0x10, mask: 0x3f });
		assert.deepEqual(change('--set-tos normal-service', 6), { value: 0, mask: 0x3f });
		assert.deepEqual(change('--and-tos 0x0f'), { value: 0, mask: 0xf0 });
		assert.deepEqual(change('--or-tos 0x10'), { value: 0x10, mask: 0x10 });
		assert.deepEqual(change('--xor-tos 1'), { value: 1, mask: 0 });
	});

	it('zeroes the mask bits and XORs the value in', () => {
		const packet = makePacket({ tos: 0xe3 });
		const { outcome, env } = applyRule('mangle', '-A PREROUTING -j TOS --set-tos Minimize-Delay', packet);
		assert.deepEqual(outcome, { kind: 'continue' });
		assert.equal(packet.tos, 0xd0);
		assert.equal(env.rewrites[0]!.description, 'TOS 0xe3 → 0xd0');
		const xor = makePacket({ tos: 0x11 });
		applyRule('mangle', '-A OUTPUT -j TOS --xor-tos 0x01', xor);
		assert.equal(xor.tos, 0x10);
	});

	it('refuses unknown names, big values and two operations', () => {
		assertParseError('mangle', '-A PREROUTING -j TOS --set-tos Min', 'Min', /unknown TOS name "Min"/);
		assertParseError('mangle', '-A PREROUTING -j TOS --set-tos 256', '256', /TOS value \(0–255\)/);
		assertParseError('mangle', '-A PREROUTING -j TOS --set-tos 0x10/0x100', '0x10/0x100', /TOS mask \(0–255\)/);
		assertParseError('mangle', '-A PREROUTING -j TOS --and-tos 1 --or-tos 2', '--or-tos', /cannot be used together with "--and-tos"/);
		assertParseError('mangle', '-A PREROUTING -j TOS', 'TOS', /needs --set-tos/);
	});
});
