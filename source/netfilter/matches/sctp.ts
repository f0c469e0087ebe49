import type { MatchExtension } from '../extension.js';
import { assumeThat, readOptions, readsThrough } from './extension-kit.js';
import { checkPorts, parsePortRange, type PortRange } from './ports.js';

const CHUNK_TYPES = [
	'DATA', 'INIT', 'INIT_ACK', 'SACK', 'HEARTBEAT', 'HEARTBEAT_ACK', 'ABORT', 'SHUTDOWN', 'SHUTDOWN_ACK', 'ERROR', 'COOKIE_ECHO',
	'COOKIE_ACK', 'ECN_ECNE', 'ECN_CWR', 'SHUTDOWN_COMPLETE', 'I_DATA', 'RE_CONFIG', 'PAD', 'ASCONF', 'ASCONF_ACK', 'FORWARD_TSN', 'I_FORWARD_TSN',
];

export interface SctpOptions {
	readonly sport?: PortRange;
	readonly dport?: PortRange;
	readonly chunks?: { readonly mode: string; readonly list: string; readonly negated: boolean };
}

/** -m sctp: ports exactly, as tcp; the chunk types are not in netsleuth's packets and are assumed (xt_sctp). */
export const sctp: MatchExtension<SctpOptions> = {
	name: 'sctp',
	reads: readsThrough({ sport: ['--sport', '--source-port'] }),
	parse(uses, ctx) {
		const o: { sport?: PortRange; dport?: PortRange; chunks?: SctpOptions['chunks'] } = {};
		for (const use of readOptions('sctp', uses, ctx, {
			'--source-port': { args: 1, negatable: true },
			'--sport': { args: 1, negatable: true },
			'--destination-port': { args: 1, negatable: true },
			'--dport': { args: 1, negatable: true },
			'--chunk-types': { args: 2, negatable: true },
		})) {
			if (use.name === '--sport' || use.name === '--source-port') o.sport = parsePortRange(use, ctx);
			else if (use.name === '--dport' || use.name === '--destination-port') o.dport = parsePortRange(use, ctx);
			else {
				const [modeToken, listToken] = [use.args[0]!, use.args[1]!];
				const mode = modeToken.text.toLowerCase();
				if (mode !== 'all' && mode !== 'any' && mode !== 'only') ctx.fail(modeToken, `expected all, any or only, got "${modeToken.text}"`);
				for (const item of listToken.text.split(',')) {
					const [name, flags] = item.split(':');
					if (!CHUNK_TYPES.includes(name!.toUpperCase()) && name!.toUpperCase() !== 'ALL' && name!.toUpperCase() !== 'NONE') ctx.fail(listToken, `unknown SCTP chunk type "${name}"`);
					if (flags !== undefined && !/^[a-zA-Z]+$/.test(flags)) ctx.fail(listToken, `bad chunk flags "${flags}"`);
				}
				o.chunks = { mode, list: listToken.text, negated: use.negated };
			}
		}
		ctx.requireProtocol(['sctp'], 'the sctp match needs -p sctp (the kernel refuses it for other protocols)');
		return o;
	},
	evaluate(o, packet, env) {
		if (packet.proto !== 132) return 'not an SCTP packet';
		if (packet.fragment) return 'a non-first fragment carries no SCTP header';
		const portsWhy = checkPorts(o, packet);
		if (portsWhy) return portsWhy;
		if (o.chunks) {
			return assumeThat(
				env,
				`SCTP chunks are not modelled: --chunk-types ${o.chunks.mode} ${o.chunks.list} is assumed to hold${o.chunks.negated ? ' (negated: no match)' : ''}`,
				!o.chunks.negated,
				`the chunk types are assumed to be ${o.chunks.mode} ${o.chunks.list}, which is excluded`,
			);
		}
		return null;
	},
};
