import type { MatchExtension } from '../extension.js';
import { assumeSpi, parseSpi, type SpiRange } from './esp.js';
import { type OptionSpec, readOptions } from './extension-kit.js';

export interface AhOptions {
	readonly spi?: SpiRange;
	/** IPv6 only: --ahlen and --ahres, kept as written. */
	readonly other: readonly string[];
}

/** -m ah: the SPI (and, for IPv6, length and reserved field) of an Authentication Header (ipt_ah, ip6t_ah). */
export const ah: MatchExtension<AhOptions> = {
	name: 'ah',
	reads: {},
	parse(uses, ctx) {
		let spi: SpiRange | undefined;
		const other: string[] = [];
		const specs: Record<string, OptionSpec> = { '--ahspi': { args: 1, negatable: true } };
		if (ctx.family === 6) Object.assign(specs, { '--ahlen': { args: 1, negatable: true }, '--ahres': { args: 0 } });
		for (const use of readOptions('ah', uses, ctx, specs)) {
			if (use.name === '--ahspi') spi = parseSpi(use, ctx);
			else {
				if (use.name === '--ahlen') ctx.integer(use.args[0]!, 'a header length', 0, 255);
				other.push(`${use.negated ? '! ' : ''}${use.name}${use.args[0] ? ` ${use.args[0].text}` : ''}`);
			}
		}
		// ip6t_ah finds the header among the extension headers; ipt_ah is bound to -p ah.
		if (ctx.family === 4) ctx.requireProtocol(['51'], 'the ah match needs -p ah (the kernel refuses it for other protocols)');
		return { spi, other };
	},
	evaluate(o, packet, env) {
		if (packet.proto !== 51) return 'the packet carries no AH header';
		if (packet.fragment) return 'a non-first fragment carries no AH header';
		if (o.spi) assumeSpi(o.spi, 'AH', env);
		if (o.other.length) env.assume(`the AH header's fields are not known: assumed to satisfy ${o.other.join(' ')}`);
		return null;
	},
};
