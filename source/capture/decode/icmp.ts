import { ipv4 } from './format.js';
import type { IcmpLayer } from './packet.js';
import { addLayer, byEthertype, enter, KIND, truncated, u16, type Decoder } from './tables.js';

/** ICMP errors quote the datagram that caused them: destination unreachable, source quench, redirect, time exceeded, parameter problem. */
const ERRORS = new Set([3, 4, 5, 11, 12]);
const ECHO_LIKE = new Set([0, 8, 13, 14, 15, 16, 17, 18]);

/** ICMP: type, code, echo id/sequence, redirect gateway, next-hop MTU, and the quoted datagram of an error. */
export const decodeIcmp: Decoder = (d, b, off, end) => {
	if (end - off < 4) return truncated(d, 'icmp', off, 4, end);
	const type = b[off]!;
	const code = b[off + 1]!;
	const layer: IcmpLayer = {
		kind: 'icmp', offset: off - d.frame.start, type, code, checksum: u16(b, off + 2),
		id: undefined, seq: undefined, gateway: undefined, mtu: undefined,
	};
	addLayer(d, layer, KIND.icmp);
	if (d.transport === undefined && d.cur === d.ip && d.quoted === 0) d.transport = layer;
	if (end - off < 8) return truncated(d, 'icmp', off, 8, end);
	if (ECHO_LIKE.has(type)) {
		layer.id = u16(b, off + 4);
		layer.seq = u16(b, off + 6);
	} else if (type === 5) layer.gateway = ipv4(b, off + 4);
	else if (type === 3 && code === 4) layer.mtu = u16(b, off + 6);
	if (ERRORS.has(type) && end - off > 8 && enter(d)) {
		d.quoted++;
		byEthertype(d, 0x0800, b, off + 8, end);
		d.quoted--;
	}
};
