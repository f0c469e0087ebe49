import type { TargetExtension } from '../extension.js';
import { exclusive, hex, targetOptions } from './target-options.js';

/** new TOS = (TOS & ~mask) ^ value, as xt_DSCP's tos_tg does (IPv6: the traffic class). */
export interface TosChange {
	readonly value: number;
	readonly mask: number;
}

/** Names iptables takes for --set-tos; a name implies the mask 0x3f (iptables 1.8.9 saves "0x10/0x3f"). */
export const TOS_NAMES: Readonly<Record<string, number>> = {
	'minimize-delay': 0x10, 'maximize-throughput': 0x08, 'maximize-reliability': 0x04, 'minimize-cost': 0x02, 'normal-service': 0x00,
};

const OPTIONS = ['--set-tos', '--and-tos', '--or-tos', '--xor-tos'];

export const TOS: TargetExtension<TosChange> = {
	name: 'TOS',
	reads: {},
	tables: ['mangle'],
	parse(uses, ctx) {
		const options = targetOptions(uses, ctx, 'TOS', OPTIONS);
		exclusive(ctx, options, 'TOS', OPTIONS);
		const [use] = options.values();
		if (!use) return ctx.fail(ctx.anchor, 'TOS needs --set-tos, --and-tos, --or-tos or --xor-tos');
		const token = ctx.arg(use, use.name === '--set-tos' ? 'value[/mask] or a name' : 'bits');
		if (use.name === '--set-tos') {
			const named = TOS_NAMES[token.text.toLowerCase()];
			if (named !== undefined) return { value: named, mask: 0x3f };
			if (!/^(0x[0-9a-f]+|\d+)(\/(0x[0-9a-f]+|\d+))?$/i.test(token.text)) ctx.fail(token, `unknown TOS name "${token.text}": expected value[/mask] or ${Object.keys(TOS_NAMES).join(', ')}`);
			const [v, m] = token.text.split('/');
			return {
				value: ctx.integer({ ...token, text: v! }, 'TOS value', 0, 255),
				mask: m === undefined ? 0xff : ctx.integer({ ...token, text: m }, 'TOS mask', 0, 255),
			};
		}
		const bits = ctx.integer(token, 'TOS bits', 0, 255);
		if (use.name === '--and-tos') return { value: 0, mask: ~bits & 0xff };
		if (use.name === '--or-tos') return { value: bits, mask: bits };
		return { value: bits, mask: 0 };
	},
	apply(o, packet, env) {
		const next = ((packet.tos & ~o.mask) ^ o.value) & 0xff;
		if (next !== packet.tos) env.rewrite(`TOS ${hex(packet.tos, 2)} → ${hex(next, 2)}`, (p) => { p.tos = next; });
		return { kind: 'continue' };
	},
};
