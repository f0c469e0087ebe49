import { parseIp } from '../../packet/address.js';
import type { MatchExtension } from '../extension.js';
import { assumeThat, readOptions } from './extension-kit.js';

/** The options of an IPv6 extension-header match, kept as written: they describe a header the packet lacks. */
export interface HeaderOptions {
	readonly conditions: readonly string[];
}

/**
 * The verdict of a match on an IPv6 extension header netsleuth's packets do not carry: ipv6_find_hdr()
 * fails, and the kernel answers no match whatever the negation.
 */
export function noExtensionHeader(header: string, env: Parameters<MatchExtension['evaluate']>[2]): string | null {
	return assumeThat(env, `netsleuth's IPv6 packets carry no extension headers: no ${header} header, so the match fails`, false, `the packet has no IPv6 ${header} header`);
}

export function describeUse(use: { name: string; negated: boolean; args: readonly { text: string }[] }): string {
	return `${use.negated ? '! ' : ''}${use.name}${use.args.map((a) => ` ${a.text}`).join('')}`;
}

/** -m rt: fields of the IPv6 routing header (ip6t_rt). */
export const rt: MatchExtension<HeaderOptions> = {
	name: 'rt',
	reads: {},
	parse(uses, ctx) {
		if (ctx.family !== 6) ctx.fail(ctx.anchor, 'rt is an IPv6 match');
		const conditions: string[] = [];
		for (const use of readOptions('rt', uses, ctx, {
			'--rt-type': { args: 1, negatable: true },
			'--rt-segsleft': { args: 1, negatable: true },
			'--rt-len': { args: 1, negatable: true },
			'--rt-0-res': { args: 0 },
			'--rt-0-addrs': { args: 1 },
			'--rt-0-not-strict': { args: 0 },
		})) {
			const token = use.args[0];
			if (use.name === '--rt-type') ctx.integer(token!, 'a routing header type', 0, 255);
			else if (use.name === '--rt-segsleft') ctx.range(token!, 'segments left', 0, 0xffffffff);
			else if (use.name === '--rt-len') ctx.integer(token!, 'a header length', 0, 0xffffffff);
			else if (use.name === '--rt-0-addrs') {
				const addrs = token!.text.split(',');
				if (addrs.length > 16) ctx.fail(token!, 'at most 16 addresses');
				for (const a of addrs) if (parseIp(a)?.family !== 6) ctx.fail(token!, `"${a}" is not an IPv6 address`);
			}
			conditions.push(describeUse(use));
		}
		return { conditions };
	},
	evaluate: (_o, _packet, env) => noExtensionHeader('routing', env),
};
