import type { TargetExtension } from '../extension.js';

/**
 * TRACE asks the kernel to report every rule this packet meets from here on; the packet goes on to the next
 * rule. The kernel's xt_TRACE is valid in the raw table only, so iptables-legacy refuses it elsewhere;
 * iptables-nft turns it into `meta nftrace set 1` and accepts it in every table (checked on Linux 6.18 with
 * iptables 1.8.9), so netsleuth accepts it anywhere and warns outside raw.
 */
export const TRACE: TargetExtension<undefined> = {
	name: 'TRACE',
	reads: {},
	parse(uses, ctx) {
		if (uses.length) ctx.unknown('TRACE', uses[0]!);
		if (ctx.table !== 'raw') ctx.warn(ctx.anchor, `TRACE in the ${ctx.table} table: iptables-legacy accepts it only in raw (iptables-nft anywhere)`);
		return undefined;
	},
	apply: () => ({ kind: 'continue' }),
};
