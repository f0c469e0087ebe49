import type { MatchExtension } from '../extension.js';
import { assumeThat, readOptions } from './extension-kit.js';

export interface ConnbytesOptions {
	readonly from: number;
	/** Infinity when the range is open ("N" or "N:"). */
	readonly to: number;
	readonly negated: boolean;
	readonly dir: 'original' | 'reply' | 'both';
	readonly mode: 'packets' | 'bytes' | 'avgpkt';
	readonly text: string;
}

/**
 * -m connbytes: packets or bytes the connection has carried so far (xt_connbytes). Known for a
 * connection's first packet (1 packet, its length, nothing in reply); assumed in range otherwise.
 */
export const connbytes: MatchExtension<ConnbytesOptions> = {
	name: 'connbytes',
	reads: { length: true, state: true },
	parse(uses, ctx) {
		let range: { from: number; to: number; negated: boolean; text: string } | undefined;
		let dir: ConnbytesOptions['dir'] | undefined;
		let mode: ConnbytesOptions['mode'] | undefined;
		for (const use of readOptions('connbytes', uses, ctx, {
			'--connbytes': { args: 1, negatable: true },
			'--connbytes-dir': { args: 1 },
			'--connbytes-mode': { args: 1 },
		})) {
			const token = use.args[0]!;
			if (use.name === '--connbytes') {
				const m = /^(\d+)(?::(\d*))?$/.exec(token.text) ?? ctx.fail(token, `expected a count or range FROM:TO, got "${token.text}"`);
				const from = Number(m[1]);
				const to = m[2] === undefined || m[2] === '' ? Infinity : Number(m[2]);
				if (from > to) ctx.fail(token, `range ${token.text} is reversed`);
				range = { from, to, negated: use.negated, text: token.text };
			} else if (use.name === '--connbytes-dir') {
				if (!['original', 'reply', 'both'].includes(token.text)) ctx.fail(token, `expected original, reply or both, got "${token.text}"`);
				dir = token.text as ConnbytesOptions['dir'];
			} else {
				if (!['packets', 'bytes', 'avgpkt'].includes(token.text)) ctx.fail(token, `expected packets, bytes or avgpkt, got "${token.text}"`);
				mode = token.text as ConnbytesOptions['mode'];
			}
		}
		const r = ctx.require(range, 'connbytes needs --connbytes');
		return { ...r, dir: ctx.require(dir, 'connbytes needs --connbytes-dir'), mode: ctx.require(mode, 'connbytes needs --connbytes-mode') };
	},
	evaluate(o, packet, env) {
		if (env.table === 'raw') return 'in the raw table conntrack has not yet seen the packet: no connection counters';
		if (packet.ctState === 'UNTRACKED' || packet.ctState === 'INVALID') return `the packet has no connection (${packet.ctState})`;
		const condition = `${o.negated ? 'outside' : 'within'} ${o.text} ${o.mode} (${o.dir})`;
		if (packet.ctState === 'NEW' && !packet.ct.reply) {
			const original = { packets: 1, bytes: packet.length };
			const reply = { packets: 0, bytes: 0 };
			const pick = (c: { packets: number; bytes: number }) => (o.mode === 'packets' ? c.packets : o.mode === 'bytes' ? c.bytes : c.packets ? Math.floor(c.bytes / c.packets) : 0);
			const value = o.dir === 'original' ? pick(original) : o.dir === 'reply' ? pick(reply) : pick({ packets: 1, bytes: packet.length });
			if (!packet.ctStateGiven) env.assume(`-m connbytes: the packet is taken as its connection's first, so the counters are 1 packet, ${packet.length} bytes`);
			const inside = value >= o.from && value <= o.to;
			if (inside !== o.negated) return null;
			return `the connection's ${o.dir} ${o.mode} count is ${value} (first packet), not ${condition}`;
		}
		return assumeThat(env, `-m connbytes: the connection's counters are not known; assumed ${condition}`, true, '');
	},
};
