import { hexColons, ipv4, ipv6, mac } from './format.js';
import type { ArpLayer } from './packet.js';
import { addLayer, KIND, note, truncated, u16, type Decoder } from './tables.js';

function hardware(b: Uint8Array, o: number, n: number): string {
	return n === 6 ? mac(b, o) : hexColons(b, o, n);
}

function protocol(b: Uint8Array, o: number, n: number): string {
	return n === 4 ? ipv4(b, o) : n === 16 ? ipv6(b, o) : hexColons(b, o, n);
}

/** ARP (and RARP's layout): any hardware and protocol address lengths, checked against the bytes. */
export const decodeArp: Decoder = (d, b, off, end) => {
	if (end - off < 8) return truncated(d, 'arp', off, 8, end);
	const hlen = b[off + 4]!;
	const plen = b[off + 5]!;
	const need = 8 + 2 * (hlen + plen);
	if (end - off < need) {
		truncated(d, 'arp', off, need, end);
		if (d.truncated === undefined) note(d, `arp: addresses need ${need} bytes, ${end - off} are there`);
		return;
	}
	let o = off + 8;
	const sha = hardware(b, o, hlen);
	const spa = protocol(b, (o += hlen), plen);
	const tha = hardware(b, (o += plen), hlen);
	const tpa = protocol(b, (o += hlen), plen);
	const layer: ArpLayer = { kind: 'arp', offset: off - d.frame.start, htype: u16(b, off), ptype: u16(b, off + 2), hlen, plen, op: u16(b, off + 6), sha, spa, tha, tpa };
	addLayer(d, layer, KIND.arp);
	if (d.arp === undefined) d.arp = layer;
};
