import type { MatchExtension } from '../extension.js';
import { SERVICE_PORTS } from './ports.js';
import { readsThrough } from './extension-kit.js';

export interface MultiportOptions {
	readonly which: 'source' | 'destination' | 'either';
	readonly ranges: readonly (readonly [number, number])[];
	readonly negated: boolean;
	readonly text: string;
}

export const multiport: MatchExtension<MultiportOptions> = {
	name: 'multiport',
	reads: readsThrough({ sport: ['--sports', '--source-ports', '--ports'] }),
	parse(uses, ctx) {
		ctx.requireProtocol(['tcp', 'udp', 'udplite', 'sctp', 'dccp'], 'multiport needs -p tcp, udp, udplite, sctp or dccp');
		let options: MultiportOptions | undefined;
		for (const use of uses) {
			const which = ({ '--sports': 'source', '--source-ports': 'source', '--dports': 'destination', '--destination-ports': 'destination', '--ports': 'either' } as const)[use.name] ?? ctx.unknown('multiport', use);
			const token = ctx.arg(use, 'a comma-separated list of ports or ranges');
			const ranges = token.text.split(',').map((part) => {
				const resolved = part.split(':').map((p) => String(SERVICE_PORTS[p] ?? p)).join(':');
				const { from, to } = ctx.range({ ...token, text: resolved }, 'port', 0, 65535);
				return [from, to] as const;
			});
			if (ranges.length > 15) ctx.fail(token, 'multiport takes at most 15 ports');
			options = { which, ranges, negated: use.negated, text: token.text };
		}
		return ctx.require(options, 'multiport needs --sports, --dports or --ports');
	},
	evaluate(o, packet) {
		if (packet.sport === undefined || packet.dport === undefined) return 'the packet has no ports';
		const inList = (port: number) => o.ranges.some(([from, to]) => port >= from && port <= to);
		const hit = o.which === 'source' ? inList(packet.sport) : o.which === 'destination' ? inList(packet.dport) : inList(packet.sport) || inList(packet.dport);
		if (hit !== o.negated) return null;
		const port = o.which === 'source' ? `source port ${packet.sport}` : o.which === 'destination' ? `destination port ${packet.dport}` : `ports ${packet.sport}, ${packet.dport}`;
		return `${port} ${o.negated ? 'is' : 'is not'} in ${o.text}`;
	},
};
