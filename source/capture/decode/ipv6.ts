import { ipv6 } from './format.js';
import type { DecodedPacket, Ipv6Layer } from './packet.js';
import { addLayer, byIpProtocol, KIND, NONE, note, truncated, u16, u32, type Decoder } from './tables.js';

/** Extension headers with the generic (next header, length in 8-byte units) layout. */
const GENERIC = new Uint8Array(256);
for (const p of [0, 43, 60, 135, 139, 140, 253, 254]) GENERIC[p] = 1;

/**
 * IPv6: the fixed header, then every extension header (hop-by-hop with the jumbo payload option,
 * routing, fragment, destination options, AH, mobility, HIP, shim6) up to the upper-layer protocol.
 * A non-first fragment carries no upper header: decoding stops there.
 */
export const decodeIpv6: Decoder = (d, b, off, end) => {
	if (end - off < 40) return truncated(d, 'ipv6', off, 40, end);
	const version = b[off]! >> 4;
	if (version !== 6) return note(d, `ipv6: the version field says ${version}`);
	const first = u32(b, off);
	const payloadLength = u16(b, off + 4);
	const layer: Ipv6Layer = {
		kind: 'ipv6', offset: off - d.frame.start, tclass: (first >>> 20) & 0xff, flow: first & 0xfffff, payloadLength,
		nextHeader: b[off + 6]!, hopLimit: b[off + 7]!, src: ipv6(b, off + 8), dst: ipv6(b, off + 24), ext: NONE,
		proto: b[off + 6]!, fragment: undefined, jumbo: undefined,
	};
	addLayer(d, layer, KIND.ipv6);
	if (d.ip === undefined) d.ip = layer;
	let declared = off + 40 + payloadLength;
	// Payload length 0: a jumbogram (the hop-by-hop jumbo option gives the length) or a BIG TCP / TSO
	// super-packet (the capture gives it).
	if (payloadLength === 0 && d.quoted === 0) declared = end;
	if (declared < end) end = declared;
	let o = off + 40;
	let proto = layer.nextHeader;
	for (;;) {
		if (GENERIC[proto] === 1 || proto === 51) {
			if (end - o < 2) return truncated(d, 'ipv6', o, 2, end);
			const len = proto === 51 ? (b[o + 1]! + 2) * 4 : (b[o + 1]! + 1) * 8;
			if (end - o < len) return truncated(d, 'ipv6', o, len, end);
			if (proto === 0) hopByHop(d, layer, b, o + 2, o + len);
			if (layer.ext === NONE) layer.ext = [];
			layer.ext.push(proto);
			proto = b[o]!;
			o += len;
		} else if (proto === 44) {
			if (end - o < 8) return truncated(d, 'ipv6', o, 8, end);
			const word = u16(b, o + 2);
			layer.fragment = { offset: word & 0xfff8, more: (word & 1) === 1, id: u32(b, o + 4) };
			if (layer.ext === NONE) layer.ext = [];
			layer.ext.push(44);
			proto = b[o]!;
			o += 8;
			if (layer.fragment.offset !== 0) {
				layer.proto = proto;
				return; // a later fragment: no upper-layer header here
			}
		} else break;
	}
	layer.proto = proto;
	if (layer.jumbo !== undefined && payloadLength === 0 && d.quoted === 0) {
		declared = off + 40 + layer.jumbo;
		if (declared < end) end = declared;
	}
	d.cur = layer;
	d.ipEnd = declared;
	if (proto !== 59) byIpProtocol(d, proto, b, o, end);
};

function hopByHop(d: DecodedPacket, layer: Ipv6Layer, b: Uint8Array, o: number, end: number): void {
	while (o < end) {
		const type = b[o]!;
		if (type === 0) {
			o++;
			continue;
		}
		if (o + 2 > end) return note(d, 'ipv6: hop-by-hop option runs past its header');
		const len = b[o + 1]!;
		if (o + 2 + len > end) return note(d, `ipv6: hop-by-hop option ${type} runs past its header`);
		if (type === 0xc2 && len === 4) layer.jumbo = u32(b, o + 2);
		o += 2 + len;
	}
}
