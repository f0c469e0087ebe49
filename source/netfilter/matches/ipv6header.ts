import type { Packet } from '../../packet/packet.js';
import type { MatchExtension } from '../extension.js';
import { readOptions } from './extension-kit.js';

/** ip6t_ipv6header's bits, one per kind of header. */
const MASKS = { hop: 128, dst: 64, route: 32, frag: 16, auth: 8, esp: 4, none: 2, prot: 1 } as const;
type HeaderName = keyof typeof MASKS;

const NAMES: Readonly<Record<string, HeaderName>> = {
	'hop-by-hop': 'hop', hop: 'hop', '0': 'hop', 'ipv6-opts': 'dst', dst: 'dst', '60': 'dst', 'ipv6-route': 'route', route: 'route', '43': 'route',
	'ipv6-frag': 'frag', frag: 'frag', '44': 'frag', ah: 'auth', auth: 'auth', '51': 'auth', esp: 'esp', '50': 'esp',
	'ipv6-nonxt': 'none', none: 'none', '59': 'none', protocol: 'prot', prot: 'prot', '255': 'prot',
};

export interface Ipv6headerOptions {
	readonly mask: number;
	readonly soft: boolean;
	readonly negated: boolean;
	readonly text: string;
}

/** The headers the packet has, as ip6t_ipv6header walks them: no extension headers are modelled. */
function present(packet: Packet): number {
	let bits = packet.fragment ? MASKS.frag : 0;
	if (packet.proto === 59) bits |= MASKS.none;
	else if (packet.proto === 50) bits |= MASKS.esp;
	else if (packet.proto === 51) bits |= MASKS.auth | MASKS.prot;
	else bits |= MASKS.prot;
	return bits;
}

function names(bits: number): string {
	return (Object.keys(MASKS) as HeaderName[]).filter((n) => bits & MASKS[n]).join(',') || 'none';
}

/**
 * -m ipv6header: which IPv6 headers the packet has (ip6t_ipv6header). netsleuth's packets carry no
 * extension headers besides the fragment header of a non-first fragment; the upper-layer protocol counts as "prot".
 */
export const ipv6header: MatchExtension<Ipv6headerOptions> = {
	name: 'ipv6header',
	reads: {},
	parse(uses, ctx) {
		if (ctx.family !== 6) ctx.fail(ctx.anchor, 'ipv6header is an IPv6 match');
		let header: { mask: number; negated: boolean; text: string } | undefined;
		let soft = false;
		for (const use of readOptions('ipv6header', uses, ctx, {
			'--header': { args: 1, negatable: true },
			'--soft': { args: 0 },
		})) {
			if (use.name === '--soft') {
				soft = true;
				continue;
			}
			const token = use.args[0]!;
			let mask = 0;
			for (const part of token.text.split(',')) {
				const name = NAMES[part.toLowerCase()];
				if (!name) ctx.fail(token, `unknown IPv6 header "${part}": expected hop, dst, route, frag, auth, esp, none or prot`);
				mask |= MASKS[name];
			}
			header = { mask, negated: use.negated, text: token.text };
		}
		return { ...ctx.require(header, 'ipv6header needs --header'), soft };
	},
	evaluate(o, packet, env) {
		env.assume('netsleuth\'s IPv6 packets carry no extension headers other than the fragment header of a non-first fragment');
		const have = present(packet);
		let matches: boolean;
		if (o.soft) matches = ((have ^ o.mask ^ (o.negated ? 0xff : 0)) & o.mask) === 0;
		else matches = o.negated ? have !== o.mask : have === o.mask;
		if (matches) return null;
		return `the packet's headers are ${names(have)}; ${o.negated ? '! ' : ''}--header ${o.text}${o.soft ? ' --soft' : ''} does not hold`;
	},
};
