import { TCP_FLAGS } from '../../packet/packet.js';
import type { EvalEnv, MatchExtension } from '../extension.js';
import { readOptions } from './extension-kit.js';

export interface EcnOptions {
	readonly cwr?: { negated: boolean };
	readonly ece?: { negated: boolean };
	readonly ect?: { value: number; negated: boolean };
}

const ECT_NAMES = ['Not-ECT', 'ECT(1)', 'ECT(0)', 'CE'];

/** -m ecn: the ECN bits of the IP header and the TCP ECE/CWR flags (xt_ecn). */
export const ecn: MatchExtension<EcnOptions> = {
	name: 'ecn',
	reads: { tcp: true },
	parse(uses, ctx) {
		const o: { -readonly [K in keyof EcnOptions]: EcnOptions[K] } = {};
		for (const use of readOptions('ecn', uses, ctx, {
			'--ecn-tcp-cwr': { args: 0, negatable: true },
			'--ecn-tcp-ece': { args: 0, negatable: true },
			'--ecn-ip-ect': { args: 1, negatable: true },
		})) {
			if (use.name === '--ecn-tcp-cwr') o.cwr = { negated: use.negated };
			else if (use.name === '--ecn-tcp-ece') o.ece = { negated: use.negated };
			else o.ect = { value: ctx.integer(use.args[0]!, 'an ECT value', 0, 3), negated: use.negated };
		}
		if (!o.cwr && !o.ece && !o.ect) ctx.fail(ctx.anchor, 'ecn needs --ecn-tcp-cwr, --ecn-tcp-ece or --ecn-ip-ect');
		if (o.cwr || o.ece) ctx.requireProtocol(['tcp'], 'ecn: --ecn-tcp-cwr and --ecn-tcp-ece need -p tcp (the kernel refuses them otherwise)');
		return o;
	},
	evaluate(o, packet, env: EvalEnv) {
		if (o.ect) {
			const field = packet.tos & 3;
			if ((field === o.ect.value) === o.ect.negated) return `ECN field ${field} (${ECT_NAMES[field]}) ${o.ect.negated ? 'is' : 'is not'} ${o.ect.value}`;
		}
		if (o.cwr || o.ece) {
			if (packet.proto !== 6) return 'not a TCP packet';
			if (packet.fragment) return 'a non-first fragment carries no TCP header';
			if (packet.tcpFlags === undefined) env.assume('TCP flags not given: ECE and CWR assumed clear');
			const flags = packet.tcpFlags ?? 0;
			for (const [name, flag] of [['CWR', o.cwr], ['ECE', o.ece]] as const) {
				if (!flag) continue;
				const set = (flags & TCP_FLAGS[name]!) !== 0;
				if (set === flag.negated) return `TCP flag ${name} is ${set ? 'set' : 'clear'}${flag.negated ? ', which is excluded' : ''}`;
			}
		}
		return null;
	},
};
