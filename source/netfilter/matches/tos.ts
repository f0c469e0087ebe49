import type { MatchExtension } from '../extension.js';
import { readOptions } from './extension-kit.js';
import { hex } from './mark.js';

/** RFC 1349 names iptables accepts; a name compares the TOS bits under mask 0x3f. */
export const TOS_NAMES: Readonly<Record<string, number>> = {
	'minimize-delay': 0x10, 'maximize-throughput': 0x08, 'maximize-reliability': 0x04, 'minimize-cost': 0x02, 'normal-service': 0x00,
};

export interface TosOptions {
	readonly value: number;
	readonly mask: number;
	readonly negated: boolean;
}

/** -m tos: the IPv4 TOS byte (IPv6 traffic class), masked, equals a value (xt_tos revision 1). */
export const tos: MatchExtension<TosOptions> = {
	name: 'tos',
	reads: {},
	parse(uses, ctx) {
		let options: TosOptions | undefined;
		for (const use of readOptions('tos', uses, ctx, { '--tos': { args: 1, negatable: true } })) {
			const token = use.args[0]!;
			const named = TOS_NAMES[token.text.toLowerCase()];
			if (named !== undefined) options = { value: named, mask: 0x3f, negated: use.negated };
			else {
				const [value, mask] = token.text.split('/');
				if (!/^\d|^0x/i.test(value!)) ctx.fail(token, `unknown TOS name "${token.text}": expected a value[/mask] or one of Minimize-Delay, Maximize-Throughput, Maximize-Reliability, Minimize-Cost, Normal-Service`);
				options = {
					value: ctx.integer({ ...token, text: value! }, 'a TOS value', 0, 255),
					mask: mask === undefined ? 0xff : ctx.integer({ ...token, text: mask }, 'a TOS mask', 0, 255),
					negated: use.negated,
				};
			}
		}
		return ctx.require(options, 'tos match needs --tos');
	},
	evaluate(o, packet) {
		const equal = (packet.tos & o.mask) === o.value;
		if (equal !== o.negated) return null;
		const masked = o.mask === 0xff ? '' : ` & ${hex(o.mask)}`;
		return `TOS ${hex(packet.tos)}${masked} ${o.negated ? 'is' : 'is not'} ${hex(o.value)}`;
	},
};
