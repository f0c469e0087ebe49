import type { MatchExtension } from '../extension.js';
import { readOptions } from './extension-kit.js';

export interface LengthOptions {
	readonly from: number;
	readonly to: number;
	readonly negated: boolean;
}

/** -m length: the layer-3 length (IPv4 total length; IPv6 payload length plus its 40-byte header). */
export const length: MatchExtension<LengthOptions> = {
	name: 'length',
	reads: { length: true },
	parse(uses, ctx) {
		let options: LengthOptions | undefined;
		for (const use of readOptions('length', uses, ctx, { '--length': { args: 1, negatable: true } })) {
			options = { ...ctx.range(use.args[0]!, 'length', 0, 65535), negated: use.negated };
		}
		return ctx.require(options, 'length match needs --length');
	},
	evaluate(o, packet) {
		const inside = packet.length >= o.from && packet.length <= o.to;
		if (inside !== o.negated) return null;
		const range = o.from === o.to ? String(o.from) : `${o.from}:${o.to}`;
		return o.negated ? `length ${packet.length} is in ${range}, which is excluded` : `length ${packet.length} is not in ${range}`;
	},
};
