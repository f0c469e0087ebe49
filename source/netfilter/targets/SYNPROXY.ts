import { TCP_FLAGS } from '../../packet/packet.js';
import type { TargetExtension } from '../extension.js';
import { flag, targetOptions, value } from './target-options.js';

export interface SynproxyOptions {
	readonly mss?: number;
	readonly wscale?: number;
	readonly sackPerm: boolean;
	readonly timestamp: boolean;
	readonly ecn: boolean;
}

const { SYN, ACK, FIN, RST } = TCP_FLAGS as Record<'SYN' | 'ACK' | 'FIN' | 'RST', number>;

/**
 * SYNPROXY answers a client's handshake itself with syncookies (INPUT and FORWARD, TCP only), as
 * xt_SYNPROXY does: a bare SYN is answered with a SYN/ACK and consumed; an ACK is checked against the
 * cookie and consumed (valid: SYNPROXY then opens the connection to the server) or dropped (invalid);
 * any other segment goes on to the next rule. The SYN and ACK never pass on, so they show as dropped.
 */
export const SYNPROXY: TargetExtension<SynproxyOptions> = {
	name: 'SYNPROXY',
	reads: { tcp: true },
	parse(uses, ctx) {
		const options = targetOptions(uses, ctx, 'SYNPROXY', ['--mss', '--wscale', '--sack-perm', '--timestamp', '--ecn']);
		const mssToken = value(ctx, options, '--mss', 'an MSS value');
		const wscaleToken = value(ctx, options, '--wscale', 'a window scale');
		const mss = mssToken ? ctx.integer(mssToken, 'MSS', 0, 0xffffffff) : undefined;
		if (mss !== undefined && mss > 65535) ctx.warn(mssToken!, `MSS ${mss} is above 65535: iptables keeps its low 16 bits (${mss & 0xffff})`);
		return {
			...(mss !== undefined ? { mss: mss & 0xffff } : {}),
			...(wscaleToken ? { wscale: ctx.integer(wscaleToken, 'window scale', 0, 255) } : {}),
			sackPerm: flag(ctx, options, '--sack-perm'),
			timestamp: flag(ctx, options, '--timestamp'),
			ecn: flag(ctx, options, '--ecn'),
		};
	},
	apply(_o, packet, env) {
		if (packet.proto !== 6) return { kind: 'continue' };
		const flags = packet.tcpFlags ?? SYN;
		if ((flags & SYN) && !(flags & (ACK | FIN | RST))) {
			env.assume('SYNPROXY answers this SYN itself with a SYN/ACK carrying a syncookie and consumes the SYN (NF_STOLEN): it goes no further, shown as a drop');
			return { kind: 'drop' };
		}
		if ((flags & ACK) && !(flags & (FIN | RST | SYN))) {
			env.assume("SYNPROXY checks this ACK's syncookie: if valid (not known to netsleuth) it consumes the ACK and opens the connection to the server itself; if not, it drops the ACK. Either way it goes no further, shown as a drop");
			return { kind: 'drop' };
		}
		return { kind: 'continue' };
	},
};
