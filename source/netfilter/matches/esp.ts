import type { EvalEnv, MatchExtension, MatchVerdict, OptionUse, ParseContext } from '../extension.js';
import { readOptions } from './extension-kit.js';

export interface SpiRange {
	readonly option: string;
	readonly from: number;
	readonly to: number;
	readonly negated: boolean;
	readonly text: string;
}

export function parseSpi(use: OptionUse, ctx: ParseContext): SpiRange {
	const { from, to } = ctx.range(use.args[0]!, 'SPI', 0, 0xffffffff);
	return { option: use.name, from, to, negated: use.negated, text: use.args[0]!.text };
}

/** The SPI of an ESP or AH header: netsleuth's packets do not carry it, so the condition is assumed to hold. */
export function assumeSpi(range: SpiRange, header: string, env: EvalEnv): MatchVerdict {
	env.assume(`the ${header} SPI is not known: assumed to satisfy ${range.negated ? '! ' : ''}${range.option} ${range.text}`);
	return null;
}

/** -m esp: the Security Parameters Index of an ESP packet (xt_esp). */
export const esp: MatchExtension<SpiRange | undefined> = {
	name: 'esp',
	reads: {},
	parse(uses, ctx) {
		let range: SpiRange | undefined;
		for (const use of readOptions('esp', uses, ctx, { '--espspi': { args: 1, negatable: true } })) range = parseSpi(use, ctx);
		ctx.requireProtocol(['50'], 'the esp match needs -p esp (the kernel refuses it for other protocols)');
		return range;
	},
	evaluate(range, packet, env) {
		if (packet.proto !== 50) return 'not an ESP packet';
		if (packet.fragment) return 'a non-first fragment carries no ESP header';
		return range ? assumeSpi(range, 'ESP', env) : null;
	},
};
