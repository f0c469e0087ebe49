import type { MatchExtension } from '../extension.js';
import { assumeThat, readOptions, readsThrough } from './extension-kit.js';
import { checkPorts, parsePortRange, type PortRange } from './ports.js';

const TYPES = ['REQUEST', 'RESPONSE', 'DATA', 'ACK', 'DATAACK', 'CLOSEREQ', 'CLOSE', 'RESET', 'SYNC', 'SYNCACK', 'INVALID'];

export interface DccpOptions {
	readonly sport?: PortRange;
	readonly dport?: PortRange;
	readonly types?: { readonly list: string; readonly negated: boolean };
	readonly option?: { readonly number: number; readonly negated: boolean };
}

/** -m dccp: ports exactly; packet types and options are not in netsleuth's packets and are assumed (xt_dccp). */
export const dccp: MatchExtension<DccpOptions> = {
	name: 'dccp',
	reads: readsThrough({ sport: ['--sport', '--source-port'] }),
	parse(uses, ctx) {
		const o: { -readonly [K in keyof DccpOptions]: DccpOptions[K] } = {};
		for (const use of readOptions('dccp', uses, ctx, {
			'--source-port': { args: 1, negatable: true },
			'--sport': { args: 1, negatable: true },
			'--destination-port': { args: 1, negatable: true },
			'--dport': { args: 1, negatable: true },
			'--dccp-types': { args: 1, negatable: true },
			'--dccp-option': { args: 1, negatable: true },
		})) {
			const token = use.args[0]!;
			if (use.name === '--sport' || use.name === '--source-port') o.sport = parsePortRange(use, ctx);
			else if (use.name === '--dport' || use.name === '--destination-port') o.dport = parsePortRange(use, ctx);
			else if (use.name === '--dccp-types') {
				for (const t of token.text.split(',')) if (!TYPES.includes(t.toUpperCase())) ctx.fail(token, `unknown DCCP packet type "${t}": expected ${TYPES.join(', ')}`);
				o.types = { list: token.text, negated: use.negated };
			} else o.option = { number: ctx.integer(token, 'a DCCP option number', 0, 255), negated: use.negated };
		}
		ctx.requireProtocol(['dccp'], 'the dccp match needs -p dccp (the kernel refuses it for other protocols)');
		return o;
	},
	evaluate(o, packet, env) {
		if (packet.proto !== 33) return 'not a DCCP packet';
		if (packet.fragment) return 'a non-first fragment carries no DCCP header';
		const portsWhy = checkPorts(o, packet);
		if (portsWhy) return portsWhy;
		if (o.types) {
			const why = assumeThat(env, `the DCCP packet type is not modelled: assumed to be one of ${o.types.list}`, !o.types.negated, `the DCCP packet type is assumed to be in ${o.types.list}, which is excluded`);
			if (why) return why;
		}
		if (o.option) {
			return assumeThat(env, `DCCP options are not modelled: option ${o.option.number} assumed absent`, o.option.negated, `DCCP option ${o.option.number} is assumed absent`);
		}
		return null;
	},
};
