import { decodeEthernet } from './ethernet.js';
import type { GreLayer } from './packet.js';
import { addLayer, byEthertype, enter, KIND, truncated, u16, u32, type Decoder } from './tables.js';

/**
 * GRE (RFC 2784/2890, and PPTP's version 1): checksum, key and sequence fields as the flags say; the
 * payload by its protocol type (0x6558 transparent Ethernet bridging, or an EtherType such as IPv4).
 */
export const decodeGre: Decoder = (d, b, off, end) => {
	if (end - off < 4) return truncated(d, 'gre', off, 4, end);
	const word = u16(b, off);
	const version = word & 7;
	const layer: GreLayer = { kind: 'gre', offset: off - d.frame.start, flags: word & 0xf000, version, protocol: u16(b, off + 2), key: undefined, seq: undefined };
	addLayer(d, layer, KIND.gre);
	let need = 4;
	if ((word & 0xc000) !== 0) need += 4; // checksum and offset (offset present with routing, too)
	const keyAt = need;
	if ((word & 0x2000) !== 0) need += 4;
	const seqAt = need;
	if ((word & 0x1000) !== 0) need += 4;
	if (version === 1 && (word & 0x0080) !== 0) need += 4; // PPTP acknowledgement number
	if (end - off < need) return truncated(d, 'gre', off, need, end);
	if ((word & 0x2000) !== 0) layer.key = u32(b, off + keyAt);
	if ((word & 0x1000) !== 0) layer.seq = u32(b, off + seqAt);
	if (version !== 0 || (word & 0x4000) !== 0) return; // PPTP's PPP payload and source routing are not decoded
	if (!enter(d)) return;
	if (layer.protocol === 0x6558) decodeEthernet(d, b, off + need, end);
	else byEthertype(d, layer.protocol, b, off + need, end);
};
