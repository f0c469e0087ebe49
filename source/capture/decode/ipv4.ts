import { ipv4 } from './format.js';
import type { Ipv4Layer } from './packet.js';
import { addLayer, byIpProtocol, KIND, NONE, note, truncated, u16, type Decoder } from './tables.js';

/**
 * IPv4: header length, total length (0 means a TSO/BIG TCP super-packet: the capture gives the length),
 * options, fragments. A non-first fragment carries no upper header: decoding stops there. Ethernet padding
 * beyond the total length is not handed to the next layer.
 */
export const decodeIpv4: Decoder = (d, b, off, end) => {
	if (end - off < 20) return truncated(d, 'ipv4', off, 20, end);
	const version = b[off]! >> 4;
	if (version !== 4) return note(d, `ipv4: the version field says ${version}`);
	const ihl = (b[off]! & 0x0f) * 4;
	if (ihl < 20) return note(d, `ipv4: header length ${ihl} is less than 20`);
	if (end - off < ihl) return truncated(d, 'ipv4', off, ihl, end);
	const totalLength = u16(b, off + 2);
	const flags = u16(b, off + 6);
	const layer: Ipv4Layer = {
		kind: 'ipv4', offset: off - d.frame.start, ihl, tos: b[off + 1]!, totalLength, id: u16(b, off + 4),
		df: (flags & 0x4000) !== 0, mf: (flags & 0x2000) !== 0, fragOffset: (flags & 0x1fff) * 8, ttl: b[off + 8]!,
		proto: b[off + 9]!, checksum: u16(b, off + 10), src: ipv4(b, off + 12), dst: ipv4(b, off + 16), options: NONE,
	};
	addLayer(d, layer, KIND.ipv4);
	if (d.ip === undefined) d.ip = layer;
	if (ihl > 20) {
		layer.options = [];
		options(d, layer, b, off + 20, off + ihl);
	}
	let declared = off + totalLength;
	if (totalLength === 0 && d.quoted === 0) {
		// TSO / BIG TCP super-packets carry total length 0: the length is what was captured (as Wireshark takes it).
		declared = end;
		layer.totalLength = end - off;
	} else if (totalLength < ihl) return note(d, `ipv4: total length ${totalLength} is less than the header length ${ihl}`);
	if (declared < end) end = declared;
	if (layer.fragOffset !== 0) return; // a later fragment: no upper-layer header here
	d.cur = layer;
	d.ipEnd = declared;
	byIpProtocol(d, layer.proto, b, off + ihl, end);
};

function options(d: Parameters<Decoder>[0], layer: Ipv4Layer, b: Uint8Array, o: number, end: number): void {
	while (o < end) {
		const type = b[o]!;
		layer.options.push(type);
		if (type === 0) return;
		if (type === 1) {
			o++;
			continue;
		}
		const len = o + 1 < end ? b[o + 1]! : 0;
		if (len < 2 || o + len > end) return note(d, `ipv4: option ${type} has a bad length ${len}`);
		o += len;
	}
}
