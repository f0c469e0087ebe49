import type { DecodedPacket, TcpLayer } from './packet.js';
import { addLayer, KIND, NONE, note, TCP_PORTS, truncated, u16, u32, type Decoder } from './tables.js';

/** TCP: ports, sequence numbers, the nine flags, window, options (MSS, window scale, SACK, timestamps). */
export const decodeTcp: Decoder = (d, b, off, end) => {
	if (end - off < 20) return truncated(d, 'tcp', off, 20, end);
	const hlen = (b[off + 12]! >> 4) * 4;
	const layer: TcpLayer = {
		kind: 'tcp', offset: off - d.frame.start, sport: u16(b, off), dport: u16(b, off + 2), seq: u32(b, off + 4),
		ack: u32(b, off + 8), hlen, flags: ((b[off + 12]! & 1) << 8) | b[off + 13]!, window: u16(b, off + 14),
		checksum: u16(b, off + 16), urgent: u16(b, off + 18), options: NONE, mss: undefined, wscale: undefined,
		sackPermitted: false, tsval: undefined, tsecr: undefined, payloadLength: 0,
	};
	addLayer(d, layer, KIND.tcp);
	if (d.transport === undefined && d.cur === d.ip && d.quoted === 0) d.transport = layer;
	if (hlen < 20) return note(d, `tcp: header length ${hlen} is less than 20`);
	layer.payloadLength = Math.max(0, d.ipEnd - off - hlen);
	if (end - off < hlen) return truncated(d, 'tcp', off, hlen, end);
	if (hlen > 20) {
		layer.options = [];
		options(d, layer, b, off + 20, off + hlen);
	}
	if (end - off > hlen && d.quoted === 0) {
		const app = TCP_PORTS[layer.sport < layer.dport ? layer.sport : layer.dport] ?? TCP_PORTS[layer.sport < layer.dport ? layer.dport : layer.sport];
		if (app !== undefined) app(d, b, off + hlen, end);
	}
};

function options(d: DecodedPacket, layer: TcpLayer, b: Uint8Array, o: number, end: number): void {
	while (o < end) {
		const kind = b[o]!;
		layer.options.push(kind);
		if (kind === 0) return;
		if (kind === 1) {
			o++;
			continue;
		}
		const len = o + 1 < end ? b[o + 1]! : 0;
		if (len < 2 || o + len > end) return note(d, `tcp: option ${kind} has a bad length ${len}`);
		if (kind === 2 && len === 4) layer.mss = u16(b, o + 2);
		else if (kind === 3 && len === 3) layer.wscale = b[o + 2]!;
		else if (kind === 4 && len === 2) layer.sackPermitted = true;
		else if (kind === 8 && len === 10) {
			layer.tsval = u32(b, o + 2);
			layer.tsecr = u32(b, o + 6);
		}
		o += len;
	}
}
