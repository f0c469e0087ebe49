import { hexColons, ipv6, mac } from './format.js';
import type { DecodedPacket, Icmpv6Layer } from './packet.js';
import { addLayer, byEthertype, enter, KIND, note, truncated, u16, u32, type Decoder } from './tables.js';

/** Where the options begin in each neighbour discovery message, and the offset of its target address. */
const ND_OPTIONS: Record<number, number> = { 133: 8, 134: 16, 135: 24, 136: 24, 137: 40 };

/**
 * ICMPv6: errors with their quoted datagram, echo, MTU, and neighbour discovery (router solicitation
 * and advertisement, neighbour solicitation and advertisement, redirect) with its options.
 */
export const decodeIcmpv6: Decoder = (d, b, off, end) => {
	if (end - off < 4) return truncated(d, 'icmpv6', off, 4, end);
	const type = b[off]!;
	const layer: Icmpv6Layer = {
		kind: 'icmpv6', offset: off - d.frame.start, type, code: b[off + 1]!, checksum: u16(b, off + 2), id: undefined,
		seq: undefined, mtu: undefined, target: undefined, lladdr: undefined, ndFlags: undefined, options: [], prefixes: undefined,
	};
	addLayer(d, layer, KIND.icmpv6);
	if (d.transport === undefined && d.cur === d.ip && d.quoted === 0) d.transport = layer;
	if (end - off < 8) return truncated(d, 'icmpv6', off, 8, end);
	if (type === 128 || type === 129) {
		layer.id = u16(b, off + 4);
		layer.seq = u16(b, off + 6);
	} else if (type === 2) layer.mtu = u32(b, off + 4);
	if (type < 128) {
		if (end - off > 8 && enter(d)) {
			d.quoted++;
			byEthertype(d, 0x86dd, b, off + 8, end);
			d.quoted--;
		}
		return;
	}
	const start = ND_OPTIONS[type];
	if (start === undefined) return;
	if (end - off < start) return truncated(d, 'icmpv6', off, start, end);
	if (type === 134) layer.ndFlags = b[off + 5]!;
	else if (type === 136) layer.ndFlags = b[off + 4]!;
	if (type >= 135) layer.target = ipv6(b, off + 8);
	ndOptions(d, layer, b, off + start, end);
};

function ndOptions(d: DecodedPacket, layer: Icmpv6Layer, b: Uint8Array, o: number, end: number): void {
	while (o < end) {
		if (end - o < 2) return truncated(d, 'icmpv6', o, 2, end);
		const type = b[o]!;
		const len = b[o + 1]! * 8;
		if (len === 0) return note(d, `icmpv6: option ${type} has length 0`);
		if (end - o < len) return truncated(d, 'icmpv6', o, len, end);
		layer.options.push(type);
		if ((type === 1 || type === 2) && layer.lladdr === undefined) layer.lladdr = len === 8 ? mac(b, o + 2) : hexColons(b, o + 2, len - 2);
		else if (type === 3 && len >= 32) (layer.prefixes ??= []).push(`${ipv6(b, o + 16)}/${b[o + 2]!}`);
		o += len;
	}
}
