import { type Cidr, formatCidr, formatIp, type Ip, parseCidr } from '../../packet/address.js';
import type { TargetExtension } from '../extension.js';
import { targetOptions } from './target-options.js';

/** The address with its network bits (those set in the mask) taken from `to`, its host bits kept. */
export function netmap(address: Ip, to: Cidr): Ip {
	return { family: address.family, words: address.words.map((w, i) => ((w & ~to.mask[i]!) | (to.words[i]! & to.mask[i]!)) >>> 0) };
}

/**
 * NETMAP maps a whole network onto another one, keeping each address's host bits: the destination in
 * PREROUTING and OUTPUT, the source in POSTROUTING and INPUT (as xt_NETMAP decides by hook). Like SNAT and
 * DNAT it ends the chain, and conntrack applies the mapping to the rest of the connection.
 */
export const NETMAP: TargetExtension<Cidr> = {
	name: 'NETMAP',
	reads: {},
	tables: ['nat'],
	parse(uses, ctx) {
		const options = targetOptions(uses, ctx, 'NETMAP', ['--to']);
		const use = options.get('--to') ?? ctx.fail(ctx.anchor, 'NETMAP needs --to address[/mask]');
		const token = ctx.arg(use, 'address[/mask]');
		const cidr = parseCidr(token.text);
		if (!cidr || cidr.family !== ctx.family) return ctx.fail(token, `expected an IPv${ctx.family} network address[/mask], got "${token.text}"`);
		return cidr;
	},
	apply(to, packet, env) {
		const destination = env.hook === 'PREROUTING' || env.hook === 'OUTPUT';
		const before = destination ? packet.dst : packet.src;
		const after = netmap(before, to);
		const side = destination ? 'destination' : 'source';
		env.rewrite(`${side} ${formatIp(before)} → ${formatIp(after)} (NETMAP to ${formatCidr(to)})`, (p) => {
			if (destination) {
				p.dst = after;
				p.ct.dnat = true;
				p.ct.replSrc = after;
			} else {
				p.src = after;
				p.ct.snat = true;
				p.ct.replDst = after;
			}
		});
		return { kind: 'nat', description: `NETMAP ${side} to ${formatCidr(to)}` };
	},
};
