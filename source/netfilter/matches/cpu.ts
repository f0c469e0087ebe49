import type { MatchExtension } from '../extension.js';
import { assumeThat, readOptions } from './extension-kit.js';

export interface CpuOptions {
	readonly cpu: number;
	readonly negated: boolean;
}

/** -m cpu: the CPU handling the packet (xt_cpu). Not knowable from the packet: assumed CPU 0. */
export const cpu: MatchExtension<CpuOptions> = {
	name: 'cpu',
	reads: {},
	parse(uses, ctx) {
		let options: CpuOptions | undefined;
		for (const use of readOptions('cpu', uses, ctx, { '--cpu': { args: 1, negatable: true } })) {
			options = { cpu: ctx.integer(use.args[0]!, 'a CPU number'), negated: use.negated };
		}
		return ctx.require(options, 'cpu match needs --cpu');
	},
	evaluate(o, _packet, env) {
		const equal = o.cpu === 0;
		return assumeThat(env, 'the CPU that handles the packet is unknown: assumed CPU 0', equal !== o.negated, `the packet is assumed handled by CPU 0, ${o.negated ? 'which is excluded' : `not ${o.cpu}`}`);
	},
};
