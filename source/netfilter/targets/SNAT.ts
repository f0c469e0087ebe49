import { formatIp } from '../../packet/address.js';
import type { TargetExtension } from '../extension.js';
import { choose, type NatRange, parseNatRange, PORT_PROTOCOLS } from './nat-range.js';

export const SNAT: TargetExtension<NatRange> = {
	name: 'SNAT',
	reads: {},
	options: ['--to-source', '--random', '--persistent', '--random-fully'],
	tables: ['nat'],
	parse(uses, ctx) {
		let range: NatRange | undefined;
		for (const use of uses) {
			if (use.name === '--to-source') range = parseNatRange(use, ctx);
			else if (use.name === '--random' || use.name === '--persistent' || use.name === '--random-fully') ctx.noArgs(use);
			else ctx.unknown('SNAT', use);
		}
		if (range?.portFrom !== undefined) ctx.requireProtocol(PORT_PROTOCOLS, 'Need TCP, UDP, SCTP or DCCP with port specification');
		return ctx.require(range, 'SNAT needs --to-source');
	},
	apply(range, packet, env) {
		const { ip, port } = choose(range, packet.sport, env);
		const before = `${formatIp(packet.src)}${packet.sport !== undefined ? `:${packet.sport}` : ''}`;
		env.rewrite(`source ${before} → ${formatIp(ip ?? packet.src)}${(port ?? packet.sport) !== undefined ? `:${port ?? packet.sport}` : ''}`, (p) => {
			if (ip) p.src = ip;
			if (port !== undefined) p.sport = port;
			p.ct.snat = true;
			p.ct.replDst = p.src;
			p.ct.replDport = p.sport;
		});
		return { kind: 'nat', description: `SNAT to ${range.text}` };
	},
};
