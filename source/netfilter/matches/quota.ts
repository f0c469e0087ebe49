import type { MatchExtension } from '../extension.js';
import { assumeThat, readOptions } from './extension-kit.js';

export interface QuotaOptions {
	readonly bytes: bigint;
	readonly negated: boolean;
}

/** -m quota: matches until a byte budget is spent (xt_quota). Earlier traffic is unknown: assumed not spent. */
export const quota: MatchExtension<QuotaOptions> = {
	name: 'quota',
	reads: { state: true },
	parse(uses, ctx) {
		let options: QuotaOptions | undefined;
		for (const use of readOptions('quota', uses, ctx, { '--quota': { args: 1, negatable: true } })) {
			const token = use.args[0]!;
			if (!/^\d+$/.test(token.text)) ctx.fail(token, `expected a number of bytes, got "${token.text}"`);
			options = { bytes: BigInt(token.text), negated: use.negated };
		}
		return ctx.require(options, 'quota match needs --quota');
	},
	evaluate(o, _packet, env) {
		return assumeThat(env, `-m quota ${o.bytes}: the bytes already counted are unknown; the quota is assumed not spent`, !o.negated, `! --quota matches only once the quota is spent (assumed not)`);
	},
};
