import type { MatchExtension } from '../extension.js';
import { assumeThat, readOptions } from './extension-kit.js';

const MH_TYPES: Readonly<Record<string, number>> = {
	'binding-refresh-request': 0, brr: 0, 'home-test-init': 1, hoti: 1, 'careof-test-init': 2, coti: 2, 'home-test': 3, hot: 3,
	'careof-test': 4, cot: 4, 'binding-update': 5, bu: 5, 'binding-acknowledgement': 6, ba: 6, 'binding-error': 7, be: 7,
};

export interface MhOptions {
	readonly from: number;
	readonly to: number;
	readonly negated: boolean;
	readonly text: string;
}

/** -m mh: the type of an IPv6 Mobility Header (ip6t_mh); netsleuth's packets do not carry the type. */
export const mh: MatchExtension<MhOptions> = {
	name: 'mh',
	reads: {},
	parse(uses, ctx) {
		if (ctx.family !== 6) ctx.fail(ctx.anchor, 'mh is an IPv6 match');
		let options: MhOptions = { from: 0, to: 255, negated: false, text: 'any' };
		for (const use of readOptions('mh', uses, ctx, { '--mh-type': { args: 1, negatable: true } })) {
			const token = use.args[0]!;
			const resolved = token.text.split(':').map((p) => String(MH_TYPES[p.toLowerCase()] ?? p)).join(':');
			options = { ...ctx.range({ ...token, text: resolved }, 'mobility header type', 0, 255), negated: use.negated, text: token.text };
		}
		ctx.requireProtocol(['135'], 'the mh match needs -p mh (the kernel refuses it for other protocols)');
		return options;
	},
	evaluate(o, packet, env) {
		if (packet.proto !== 135) return 'not a Mobility Header packet (protocol 135)';
		if (packet.fragment) return 'a non-first fragment carries no Mobility Header';
		return assumeThat(env, `the Mobility Header type is not known: assumed to satisfy ${o.negated ? '! ' : ''}--mh-type ${o.text}`, true, '');
	},
};
