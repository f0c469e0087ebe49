import type { MatchExtension } from '../extension.js';
import { assumeThat, readOptions } from './extension-kit.js';

export interface HelperOptions {
	readonly name: string;
	readonly negated: boolean;
}

/**
 * -m helper: the conntrack helper (ftp, sip …) of the connection that expected this one (xt_helper).
 * Helpers and expectations are not modelled: a RELATED packet is assumed to be expected by that helper,
 * any other packet to have no helper behind it.
 */
export const helper: MatchExtension<HelperOptions> = {
	name: 'helper',
	reads: {},
	parse(uses, ctx) {
		let options: HelperOptions | undefined;
		for (const use of readOptions('helper', uses, ctx, { '--helper': { args: 1, negatable: true } })) {
			options = { name: use.args[0]!.text, negated: use.negated };
		}
		return ctx.require(options, 'helper match needs --helper NAME');
	},
	evaluate(o, packet, env) {
		if (packet.ctState === 'UNTRACKED' || packet.ctState === 'INVALID') return o.negated ? null : `the packet has no connection (${packet.ctState})`;
		const related = packet.ctState === 'RELATED';
		return assumeThat(
			env,
			related
				? `conntrack helpers are not modelled: the RELATED packet is assumed to be expected by helper "${o.name}"`
				: `conntrack helpers are not modelled: a ${packet.ctState} connection is assumed not to be expected by a helper`,
			related !== o.negated,
			related ? `the packet is assumed expected by helper "${o.name}", which is excluded` : `no helper "${o.name}" is assumed behind this ${packet.ctState} connection`,
		);
	},
};
