import type { MatchExtension } from '../extension.js';
import { assumeThat, readOptions } from './extension-kit.js';

export interface CgroupOptions {
	readonly what: 'path' | 'classid';
	readonly value: string;
	readonly negated: boolean;
}

/**
 * -m cgroup: the control group of the socket that sent (or receives) the packet (xt_cgroup). A packet
 * without a local socket never matches; the cgroups of local processes are unknown and assumed not to
 * be the one named.
 */
export const cgroup: MatchExtension<CgroupOptions> = {
	name: 'cgroup',
	reads: {},
	parse(uses, ctx) {
		let options: CgroupOptions | undefined;
		for (const use of readOptions('cgroup', uses, ctx, {
			'--path': { args: 1, negatable: true },
			'--cgroup': { args: 1, negatable: true },
		})) {
			if (options) ctx.fail(use.token, 'cgroup takes --path or --cgroup, once');
			const token = use.args[0]!;
			if (use.name === '--cgroup') ctx.integer(token, 'a net_cls class id');
			options = { what: use.name === '--path' ? 'path' : 'classid', value: token.text, negated: use.negated };
		}
		return ctx.require(options, 'cgroup match needs --path or --cgroup');
	},
	evaluate(o, packet, env) {
		if (!packet.local) return 'the packet has no local socket, so no cgroup';
		return assumeThat(
			env,
			`-m cgroup: the cgroup of the sending process is unknown; assumed not ${o.what} ${o.value}`,
			o.negated,
			`the sending process is assumed not to be in cgroup ${o.what} ${o.value}`,
		);
	},
};
