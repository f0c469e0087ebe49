import { TCP_FLAGS } from '../../packet/packet.js';
import type { TargetExtension } from '../extension.js';
import { targetOptions } from './target-options.js';

/** A number, or 'pmtu' for --clamp-mss-to-pmtu. */
export type TcpmssOptions = number | 'pmtu';

const MSS_OPTION = 2;

/**
 * TCPMSS lowers the MSS option of TCP segments and lets them go on, as xt_TCPMSS does:
 *  - an MSS option above the new value is lowered to it (never raised);
 *  - a segment with no MSS option and no payload gets one: min(new value, 536) for IPv4, 1220 for IPv6;
 *  - a segment with payload and no MSS option is left alone, and so is a non-first fragment.
 * --clamp-mss-to-pmtu uses min(MTU of the route out, MTU of the route back to the source) − 40 (IPv4) or
 * − 60 (IPv6). The kernel does not look at the SYN flag: iptables-legacy refuses the rule unless it matches
 * --syn, iptables-nft does not, and then pure ACKs get an MSS option of 536 too (checked on Linux 6.18).
 * The kernel refuses --clamp-mss-to-pmtu outside FORWARD, OUTPUT and POSTROUTING; iptables requires -p tcp.
 * Neither is visible to a target's parser, so neither is checked here.
 */
export const TCPMSS: TargetExtension<TcpmssOptions> = {
	name: 'TCPMSS',
	reads: { payload: true, tcp: true },
	parse(uses, ctx) {
		const max = ctx.family === 4 ? 65535 - 20 : 65535 - 40;
		let mss: TcpmssOptions | undefined;
		// iptables takes the last of the two when both are given.
		for (const use of targetOptions(uses, ctx, 'TCPMSS', ['--set-mss', '--clamp-mss-to-pmtu']).values()) {
			if (use.name === '--set-mss') mss = ctx.integer(ctx.arg(use, 'an MSS value'), 'MSS', 0, max);
			else {
				ctx.noArgs(use);
				mss = 'pmtu';
			}
		}
		return mss ?? ctx.fail(ctx.anchor, 'TCPMSS needs --set-mss VALUE or --clamp-mss-to-pmtu');
	},
	apply(mss, packet, env) {
		if (packet.proto !== 6 || packet.fragment) return { kind: 'continue' };
		const headers = packet.family === 4 ? 40 : 60;
		const target = mss === 'pmtu' ? `min(path MTU out, MTU back to the source) − ${headers}` : String(mss);
		const syn = ((packet.tcpFlags ?? TCP_FLAGS.SYN!) & TCP_FLAGS.SYN!) !== 0;
		if (mss === 'pmtu') env.assume(`TCPMSS --clamp-mss-to-pmtu: the route MTUs are not known to netsleuth; with 1500 on both the MSS becomes ${1500 - headers}`);
		const hasMss = packet.tcpOptions?.includes(MSS_OPTION);
		const payload = packet.payload?.length;
		if (hasMss === true || (hasMss === undefined && syn)) {
			if (hasMss === undefined) env.assume('TCPMSS: the SYN is assumed to carry an MSS option (its options were not given)');
			if (mss !== 'pmtu') env.assume(`TCPMSS: the segment's MSS value is not known to netsleuth; it is lowered to ${mss} only if it is larger`);
			env.rewrite(`TCP MSS option → at most ${target}`, () => {});
			return { kind: 'continue' };
		}
		if (payload !== undefined && payload > 0) return { kind: 'continue' };
		if (payload === undefined && !syn) env.assume('TCPMSS on a segment without SYN: it is assumed to carry no payload, so the kernel adds an MSS option to it');
		const cap = packet.family === 4 ? 536 : 1220;
		const added = mss === 'pmtu' ? `min(${target}, ${cap})` : String(Math.min(mss, cap));
		env.rewrite(`TCP MSS option added: ${added} (no MSS option was present)`, (p) => {
			p.tcpOptions = [...(p.tcpOptions ?? []), MSS_OPTION];
		});
		return { kind: 'continue' };
	},
};
