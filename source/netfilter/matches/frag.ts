import type { MatchExtension } from '../extension.js';
import { assumeThat, readOptions } from './extension-kit.js';
import { describeUse, noExtensionHeader } from './rt.js';

export interface FragOptions {
	readonly first: boolean;
	/** Conditions on fields netsleuth does not know (id, length, more/last), as written. */
	readonly unknown: readonly string[];
}

/**
 * -m frag: fields of the IPv6 fragment header (ip6t_frag). A non-first fragment carries one: --fragfirst
 * is then false and the other fields are assumed; a packet not marked as a fragment is taken to carry none.
 */
export const frag: MatchExtension<FragOptions> = {
	name: 'frag',
	reads: {},
	parse(uses, ctx) {
		if (ctx.family !== 6) ctx.fail(ctx.anchor, 'frag is an IPv6 match');
		let first = false;
		const unknown: string[] = [];
		for (const use of readOptions('frag', uses, ctx, {
			'--fragid': { args: 1, negatable: true },
			'--fraglen': { args: 1, negatable: true },
			'--fragres': { args: 0 },
			'--fragfirst': { args: 0 },
			'--fragmore': { args: 0 },
			'--fraglast': { args: 0 },
		})) {
			if (use.name === '--fragid') ctx.range(use.args[0]!, 'fragment id', 0, 0xffffffff);
			else if (use.name === '--fraglen') ctx.integer(use.args[0]!, 'a header length', 0, 0xffffffff);
			if (use.name === '--fragfirst') first = true;
			else unknown.push(describeUse(use));
		}
		return { first, unknown };
	},
	evaluate(o, packet, env) {
		if (!packet.fragment) return noExtensionHeader('fragment', env);
		if (o.first) return 'the packet is a non-first fragment (--fragfirst)';
		if (!o.unknown.length) return null;
		return assumeThat(env, `the fragment header's fields are not known: assumed to satisfy ${o.unknown.join(' ')}`, true, '');
	},
};
