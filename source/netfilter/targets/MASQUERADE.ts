import { formatIp } from '../../packet/address.js';
import type { TargetExtension } from '../extension.js';
import { parsePortsOption, PORT_PROTOCOLS } from './nat-range.js';

export const MASQUERADE: TargetExtension<{ ports?: { from: number; to: number } }> = {
	name: 'MASQUERADE',
	reads: {},
	options: ['--to-ports', '--random', '--random-fully'],
	tables: ['nat'],
	parse(uses, ctx) {
		const options: { ports?: { from: number; to: number } } = {};
		for (const use of uses) {
			if (use.name === '--to-ports') {
				ctx.requireProtocol(PORT_PROTOCOLS, 'Need TCP, UDP, SCTP or DCCP with port specification');
				options.ports = parsePortsOption(use, ctx);
			}
			else if (use.name === '--random' || use.name === '--random-fully') ctx.noArgs(use);
			else ctx.unknown('MASQUERADE', use);
		}
		return options;
	},
	apply(options, packet, env) {
		const source = env.sourceAddressFor(packet.out, packet.dst);
		if (!source) {
			env.assume(`MASQUERADE: no address on ${packet.out ?? 'the out interface'} is known; the kernel drops the packet when there is none`);
			return { kind: 'drop' };
		}
		const port = options.ports && packet.sport !== undefined && (packet.sport < options.ports.from || packet.sport > options.ports.to) ? options.ports.from : packet.sport;
		env.rewrite(`source ${formatIp(packet.src)}${packet.sport !== undefined ? `:${packet.sport}` : ''} → ${formatIp(source)}${port !== undefined ? `:${port}` : ''} (address of ${packet.out})`, (p) => {
			p.src = source;
			p.sport = port;
			p.ct.snat = true;
			p.ct.replDst = source;
			p.ct.replDport = port;
		});
		return { kind: 'nat', description: `MASQUERADE to ${formatIp(source)}` };
	},
};
