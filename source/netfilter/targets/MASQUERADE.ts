import { formatIp } from '../../packet/address.js';
import type { TargetExtension } from '../extension.js';
import { parseToPorts, type ToPorts } from './nat-range.js';

export const MASQUERADE: TargetExtension<ToPorts> = {
	name: 'MASQUERADE',
	reads: {},
	options: ['--to-ports', '--random', '--random-fully'],
	tables: ['nat'],
	parse: (uses, ctx) => parseToPorts('MASQUERADE', ['--random', '--random-fully'], uses, ctx),
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
