import type { TargetExtension } from '../extension.js';
import { exclusive, hex, targetOptions } from './target-options.js';

/** DiffServ class names iptables knows (libxt_dscp_helper.c), case-insensitive. */
export const DSCP_CLASSES: Readonly<Record<string, number>> = {
	CS0: 0x00, CS1: 0x08, CS2: 0x10, CS3: 0x18, CS4: 0x20, CS5: 0x28, CS6: 0x30, CS7: 0x38, BE: 0x00,
	AF11: 0x0a, AF12: 0x0c, AF13: 0x0e, AF21: 0x12, AF22: 0x14, AF23: 0x16,
	AF31: 0x1a, AF32: 0x1c, AF33: 0x1e, AF41: 0x22, AF42: 0x24, AF43: 0x26, EF: 0x2e,
};

/**
 * DSCP rewrites the six DSCP bits of the IPv4 TOS byte (IPv6 traffic class) and keeps the two ECN bits, then
 * lets the packet go on.
 */
export const DSCP: TargetExtension<number> = {
	name: 'DSCP',
	reads: {},
	tables: ['mangle'],
	parse(uses, ctx) {
		const options = targetOptions(uses, ctx, 'DSCP', ['--set-dscp', '--set-dscp-class']);
		exclusive(ctx, options, 'DSCP', ['--set-dscp', '--set-dscp-class']);
		const value = options.get('--set-dscp');
		if (value) return ctx.integer(ctx.arg(value, 'a DSCP value'), 'DSCP value', 0, 63);
		const cls = options.get('--set-dscp-class');
		if (!cls) return ctx.fail(ctx.anchor, 'DSCP needs --set-dscp VALUE or --set-dscp-class CLASS');
		const token = ctx.arg(cls, 'a DiffServ class');
		const dscp = DSCP_CLASSES[token.text.toUpperCase()];
		if (dscp === undefined) ctx.fail(token, `invalid DSCP class "${token.text}": expected ${Object.keys(DSCP_CLASSES).join(', ')}`);
		return dscp;
	},
	apply(dscp, packet, env) {
		const next = ((packet.tos & 0x03) | (dscp << 2)) & 0xff;
		if (next !== packet.tos) env.rewrite(`DSCP ${hex(packet.tos >> 2, 2)} → ${hex(dscp, 2)} (TOS ${hex(packet.tos, 2)} → ${hex(next, 2)})`, (p) => { p.tos = next; });
		return { kind: 'continue' };
	},
};
