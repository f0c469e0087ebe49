import type { MatchExtension } from '../extension.js';
import { assumeThat, readOptions } from './extension-kit.js';
import { hex } from './mark.js';

export interface RealmOptions {
	readonly value?: number;
	readonly mask: number;
	readonly negated: boolean;
	readonly text: string;
}

/** -m realm: the routing realm of the packet's route (xt_realm). Realms are not modelled: assumed 0. */
export const realm: MatchExtension<RealmOptions> = {
	name: 'realm',
	reads: {},
	parse(uses, ctx) {
		if (ctx.family !== 4) ctx.fail(ctx.anchor, 'realm is an IPv4 match');
		let options: RealmOptions | undefined;
		for (const use of readOptions('realm', uses, ctx, { '--realm': { args: 1, negatable: true } })) {
			const token = use.args[0]!;
			if (/^(0x[0-9a-f]+|\d+)(\/(0x[0-9a-f]+|\d+))?$/i.test(token.text)) options = { ...ctx.valueMask(token, 'realm'), negated: use.negated, text: token.text };
			else {
				ctx.warn(token, `realm "${token.text}" is named in the host's /etc/iproute2/rt_realms; netsleuth does not know its number`);
				options = { mask: 0xffffffff, negated: use.negated, text: token.text };
			}
		}
		return ctx.require(options, 'realm match needs --realm');
	},
	evaluate(o, _packet, env) {
		const equal = o.value !== undefined && (0 & o.mask) === o.value;
		return assumeThat(
			env,
			'routing realms are not modelled: the route\'s realm is assumed to be 0',
			equal !== o.negated,
			`the realm (assumed 0${o.mask !== 0xffffffff ? ` & ${hex(o.mask)}` : ''}) ${o.negated ? 'is' : 'is not'} ${o.text}`,
		);
	},
};
