import type { MatchExtension } from '../extension.js';
import { checkPorts, parsePortRange, type PortRange } from './ports.js';
import { readsThrough } from './extension-kit.js';

export interface UdpOptions {
	sport?: PortRange;
	dport?: PortRange;
}

export const udp: MatchExtension<UdpOptions> = {
	name: 'udp',
	reads: readsThrough({ sport: ['--sport', '--source-port'] }),
	parse(uses, ctx) {
		ctx.requireProtocol(['udp'], 'the udp match needs -p udp (the kernel refuses it for other protocols)');
		const o: UdpOptions = {};
		for (const use of uses) {
			if (use.name === '--sport' || use.name === '--source-port') o.sport = parsePortRange(use, ctx);
			else if (use.name === '--dport' || use.name === '--destination-port') o.dport = parsePortRange(use, ctx);
			else ctx.unknown('udp', use);
		}
		return o;
	},
	evaluate(o, packet) {
		if (packet.proto !== 17) return 'not a UDP packet';
		if (packet.fragment) return 'a non-first fragment carries no UDP header';
		return checkPorts(o, packet);
	},
};
