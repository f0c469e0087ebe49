import type { MatchExtension } from '../extension.js';
import { checkHop, type HopOptions, parseHop } from './ttl.js';

/** -m hl: the IPv6 hop limit compared with a value (ip6t_hl). */
export const hl: MatchExtension<HopOptions> = {
	name: 'hl',
	reads: {},
	parse(uses, ctx) {
		if (ctx.family !== 6) ctx.fail(ctx.anchor, 'hl is an IPv6 match: iptables uses -m ttl');
		return parseHop('hl', uses, ctx);
	},
	evaluate: (o, packet) => (packet.family === 6 ? checkHop(o, packet.ttl, 'hop limit') : 'not an IPv6 packet'),
};
