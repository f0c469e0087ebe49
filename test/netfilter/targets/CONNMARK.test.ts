import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ConnmarkOptions, connmarkResult } from '../../../source/netfilter/targets/CONNMARK.js';
import { applyRule, assertParseError, makePacket, parseRule } from './env.js';

const options = (line: string, table = 'mangle') => parseRule(table, line).rule.target!.options as ConnmarkOptions;

describe('CONNMARK', () => {
	it('reduces every spelling to what iptables-save prints', () => {
		// iptables 1.8.9 saves each of these as the --set-xmark on the right (checked in a namespace).
		const set = (text: string) => options(`-A PREROUTING -j CONNMARK ${text}`);
		assert.deepEqual(set('--set-mark 0x1/0x2'), { mode: 'set', ctmark: 0x1, ctmask: 0x3, nfmask: 0xffffffff });
		assert.deepEqual(set('--set-mark 5'), { mode: 'set', ctmark: 5, ctmask: 0xffffffff, nfmask: 0xffffffff });
		assert.deepEqual(set('--and-mark 0xf0'), { mode: 'set', ctmark: 0, ctmask: 0xffffff0f, nfmask: 0xffffffff });
		assert.deepEqual(set('--or-mark 0xf0'), { mode: 'set', ctmark: 0xf0, ctmask: 0xf0, nfmask: 0xffffffff });
		assert.deepEqual(set('--xor-mark 0xf0'), { mode: 'set', ctmark: 0xf0, ctmask: 0, nfmask: 0xffffffff });
		assert.deepEqual(set('--set-mark 1 --mask 0xff'), { mode: 'set', ctmark: 1, ctmask: 0xff, nfmask: 0xff });
		assert.deepEqual(set('--save-mark --mask 0xff'), { mode: 'save', ctmark: 0, ctmask: 0xff, nfmask: 0xff });
		assert.deepEqual(set('--restore-mark --nfmask 0xff00 --ctmask 0xff00 --right-shift-mark 8'), {
			mode: 'restore', ctmark: 0, ctmask: 0xff00, nfmask: 0xff00, shift: { direction: 'right', bits: 8 },
		});
	});

	it('computes what Linux 6.18 computed for the same chain', () => {
		// mangle OUTPUT on a real kernel: MARK --set-mark 0x1234, then these three, gave mark 0x8b4 and
		// ctmark 0xab35 (read back with -m mark / -m connmark counters).
		const packet = makePacket({ mark: 0x1234, ctmark: 0 });
		const env = { hook: 'OUTPUT' as const };
		applyRule('mangle', '-A OUTPUT -j CONNMARK --set-xmark 0xab00/0xff00', packet, env);
		applyRule('mangle', '-A OUTPUT -j CONNMARK --save-mark --nfmask 0xff --ctmask 0xf', packet, env);
		assert.equal(packet.ctmark, 0xab34);
		const restored = applyRule('mangle', '-A OUTPUT -j CONNMARK --restore-mark --nfmask 0xf0f0 --ctmask 0xff00 --right-shift-mark 4', packet, env);
		assert.equal(packet.mark, 0x8b4);
		assert.deepEqual(restored.env.rewrites.map((r) => r.description), ['mark 0x1234 → 0x8b4 (restored from ctmark)']);
		const last = applyRule('mangle', '-A OUTPUT -j CONNMARK --set-mark 0x1/0x2', packet, env);
		assert.equal(packet.ctmark, 0xab35);
		assert.deepEqual(last.outcome, { kind: 'continue' });
		assert.equal(last.env.rewrites[0]!.description, 'ctmark 0xab34 → 0xab35');
		assert.equal(last.env.rewrites[0]!.before.ctmark, 0xab34);
		assert.equal(last.env.rewrites[0]!.after.ctmark, 0xab35);
	});

	it('--set-mark V/M also sets the bits of V outside M, as the kernel does', () => {
		const o = options('-A PREROUTING -j CONNMARK --set-mark 0x1/0x2');
		assert.deepEqual(connmarkResult(o, 0, 0x1), { mark: 0, ctmark: 0x1 });
	});

	it('shifts after masking', () => {
		const o = options('-A PREROUTING -j CONNMARK --save-mark --mask 0xff --left-shift-mark 8');
		assert.deepEqual(connmarkResult(o, 0x12ab, 0xffff0000), { mark: 0x12ab, ctmark: 0xffffab00 });
	});

	it('leaves a packet without a connection alone', () => {
		for (const ctState of ['UNTRACKED', 'INVALID'] as const) {
			const packet = makePacket({ ctState, mark: 7 });
			const { outcome, env } = applyRule('mangle', '-A PREROUTING -j CONNMARK --save-mark', packet);
			assert.deepEqual(outcome, { kind: 'continue' });
			assert.equal(packet.ctmark, 0);
			assert.equal(env.rewrites.length, 0);
		}
	});

	it('does nothing in raw, where conntrack has not run yet — except to a packet looped back over lo', () => {
		// Checked on Linux 6.18: raw OUTPUT "CONNMARK --set-mark 5" left ctmark 0; raw PREROUTING on lo set it.
		const { rule, warnings } = parseRule('raw', '-A OUTPUT -j CONNMARK --set-mark 5');
		assert.match(warnings[0]!.text, /conntrack has not run yet/);
		assert.equal(warnings[0]!.column, rule.text.indexOf('CONNMARK') + 1);
		const out = makePacket({ local: true, in: undefined });
		assert.equal(applyRule('raw', '-A OUTPUT -j CONNMARK --set-mark 5', out).env.rewrites.length, 0);
		assert.equal(out.ctmark, 0);
		const looped = makePacket({ in: 'lo' });
		applyRule('raw', '-A PREROUTING -j CONNMARK --set-mark 6', looped);
		assert.equal(looped.ctmark, 6);
	});

	it('records no rewrite when nothing changes', () => {
		const packet = makePacket({ mark: 5, ctmark: 5 });
		assert.equal(applyRule('filter', '-A INPUT -j CONNMARK --restore-mark', packet, { hook: 'INPUT' }).env.rewrites.length, 0);
	});

	it('refuses two operations, --mask with --nfmask, masks on --and-mark and no operation at all', () => {
		assertParseError('mangle', '-A PREROUTING -j CONNMARK --set-mark 1 --save-mark', '--save-mark', /"--save-mark" cannot be used together with "--set-mark"/);
		assertParseError('mangle', '-A PREROUTING -j CONNMARK --save-mark --mask 0xff --nfmask 0xf', '--nfmask', /cannot be used together with "--mask"/);
		assertParseError('mangle', '-A PREROUTING -j CONNMARK --and-mark 0xff/0xf', '0xff/0xf', /expected bits/);
		assertParseError('mangle', '-A PREROUTING -j CONNMARK --mask 0xff', 'CONNMARK', /no operation specified/);
		assertParseError('mangle', '-A PREROUTING -j CONNMARK --save-mark --left-shift-mark 32', '32', /shift \(0–31\)/);
	});
});
