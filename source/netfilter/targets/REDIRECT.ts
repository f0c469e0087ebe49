import { formatIp, parseIp } from '../../packet/address.js';
import type { TargetExtension } from '../extension.js';
import { parseToPorts, type ToPorts } from './nat-range.js';

/** DNAT to the host itself: the address of the arrival interface, or loopback for local packets. */
export const REDIRECT: TargetExtension<ToPorts> = {
	name: 'REDIRECT',
	reads: {},
	options: ['--to-ports', '--random'],
	tables: ['nat'],
	parse: (uses, ctx) => parseToPorts('REDIRECT', ['--random'], uses, ctx),
	apply(options, packet, env) {
		const loopback = parseIp(packet.family === 4 ? '127.0.0.1' : '::1')!;
		const target = packet.in ? env.host.addresses.find((a) => a.dev === packet.in && a.ip.family === packet.family)?.ip : loopback;
		if (!target) {
			env.assume(`REDIRECT: ${packet.in} has no IPv${packet.family} address; the kernel drops the packet`);
			return { kind: 'drop' };
		}
		const port = options.ports ? options.ports.from : packet.dport;
		env.rewrite(`destination ${formatIp(packet.dst)}:${packet.dport ?? ''} → ${formatIp(target)}:${port ?? ''} (this host)`, (p) => {
			p.dst = target;
			p.dport = port;
			p.ct.dnat = true;
			p.ct.replSrc = target;
			p.ct.replSport = port;
		});
		return { kind: 'nat', description: `REDIRECT to ${formatIp(target)}${port !== undefined ? `:${port}` : ''}` };
	},
};
