import { formatIp } from '../../packet/address.js';
import type { TargetExtension } from '../extension.js';
import { choose, type NatRange, parseNatRange, PORT_PROTOCOLS } from './nat-range.js';

export const DNAT: TargetExtension<NatRange> = {
	name: 'DNAT',
	reads: {},
	options: ['--to-destination', '--random', '--persistent', '--random-fully'],
	tables: ['nat'],
	parse(uses, ctx) {
		let range: NatRange | undefined;
		for (const use of uses) {
			if (use.name === '--to-destination') range = parseNatRange(use, ctx);
			else if (use.name === '--random' || use.name === '--persistent' || use.name === '--random-fully') ctx.noArgs(use);
			else ctx.unknown('DNAT', use);
		}
		if (range?.portFrom !== undefined) ctx.requireProtocol(PORT_PROTOCOLS, 'Need TCP, UDP, SCTP or DCCP with port specification');
		return ctx.require(range, 'DNAT needs --to-destination');
	},
	apply(range, packet, env) {
		const { ip, port } = choose(range, packet.dport, env);
		const before = `${formatIp(packet.dst)}${packet.dport !== undefined ? `:${packet.dport}` : ''}`;
		env.rewrite(`destination ${before} → ${formatIp(ip ?? packet.dst)}${port ?? packet.dport !== undefined ? `:${port ?? packet.dport}` : ''}`, (p) => {
			if (ip) p.dst = ip;
			if (port !== undefined) p.dport = port;
			p.ct.dnat = true;
			p.ct.replSrc = p.dst;
			p.ct.replSport = p.dport;
		});
		return { kind: 'nat', description: `DNAT to ${range.text}` };
	},
};
