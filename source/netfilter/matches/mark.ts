import type { MatchExtension } from '../extension.js';

export interface MarkOptions {
	readonly value: number;
	readonly mask: number;
	readonly negated: boolean;
}

export const hex = (n: number) => `0x${(n >>> 0).toString(16)}`;

export const mark: MatchExtension<MarkOptions> = {
	name: 'mark',
	reads: {},
	parse(uses, ctx) {
		let options: MarkOptions | undefined;
		for (const use of uses) {
			if (use.name !== '--mark') ctx.unknown('mark', use);
			options = { ...ctx.valueMask(ctx.arg(use, 'value[/mask]'), 'mark'), negated: use.negated };
		}
		return ctx.require(options, 'mark match needs --mark');
	},
	evaluate(o, packet) {
		const equal = ((packet.mark & o.mask) >>> 0) === o.value;
		if (equal !== o.negated) return null;
		return `mark ${hex(packet.mark)}${o.mask !== 0xffffffff ? ` & ${hex(o.mask)}` : ''} ${o.negated ? 'is' : 'is not'} ${hex(o.value)}`;
	},
};
