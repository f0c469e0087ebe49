import { TCP_FLAGS } from '../../packet/packet.js';
import type { MatchExtension } from '../extension.js';
import { assumeThat, readOptions } from './extension-kit.js';

export interface TcpmssOptions {
	readonly from: number;
	readonly to: number;
	readonly negated: boolean;
	readonly text: string;
}

const MSS_OPTION = 2;

/**
 * -m tcpmss: the MSS option of a TCP segment lies in a range; a segment without the option matches only
 * when negated (xt_tcpmss). Whether the option is there is known from the packet's TCP options; its value
 * is not, and is assumed in range.
 */
export const tcpmss: MatchExtension<TcpmssOptions> = {
	name: 'tcpmss',
	reads: { tcp: true },
	parse(uses, ctx) {
		let options: TcpmssOptions | undefined;
		for (const use of readOptions('tcpmss', uses, ctx, { '--mss': { args: 1, negatable: true } })) {
			options = { ...ctx.range(use.args[0]!, 'MSS', 0, 65535), negated: use.negated, text: use.args[0]!.text };
		}
		const result = ctx.require(options, 'tcpmss match needs --mss');
		ctx.requireProtocol(['tcp'], 'the tcpmss match needs -p tcp (the kernel refuses it for other protocols)');
		return result;
	},
	evaluate(o, packet, env) {
		if (packet.proto !== 6) return 'not a TCP packet';
		if (packet.fragment) return 'a non-first fragment carries no TCP header';
		let present: boolean;
		if (packet.tcpOptions) present = packet.tcpOptions.includes(MSS_OPTION);
		else {
			present = ((packet.tcpFlags ?? 0) & TCP_FLAGS.SYN!) !== 0;
			env.assume(`the TCP options are not given: ${present ? 'a SYN is assumed to carry an MSS option' : 'only SYN segments carry an MSS option, so none is assumed'}`);
		}
		if (!present) return o.negated ? null : 'the segment has no MSS option';
		return assumeThat(env, `the MSS value is not known: assumed within ${o.text}`, !o.negated, `the MSS is assumed within ${o.text}, which is excluded`);
	},
};
