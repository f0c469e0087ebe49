import type { TargetExtension } from '../extension.js';
import { applyHopChange, type HopChange, parseHopChange } from './TTL.js';

/** HL rewrites the IPv6 hop limit (kept in packet.ttl) and lets the packet go on. */
export const HL: TargetExtension<HopChange> = {
	name: 'HL',
	reads: {},
	tables: ['mangle'],
	parse(uses, ctx) {
		if (ctx.family !== 6) ctx.fail(ctx.anchor, 'HL is IPv6-only: iptables uses TTL (--ttl-set, --ttl-dec, --ttl-inc)');
		return parseHopChange(uses, ctx, 'HL', 'hl');
	},
	apply(change, packet, env) {
		const next = applyHopChange(packet.ttl, change);
		if (next !== packet.ttl) env.rewrite(`hop limit ${packet.ttl} → ${next}`, (p) => { p.ttl = next; });
		return { kind: 'continue' };
	},
};
