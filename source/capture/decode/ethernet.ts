import { mac } from './format.js';
import type { EthernetLayer } from './packet.js';
import { addLayer, byEthertype, KIND, truncated, u16, type Decoder } from './tables.js';

/** Ethernet II (and the 802.3 frames whose type field is a length: LLC, not decoded further). */
export const decodeEthernet: Decoder = (d, b, off, end) => {
	if (end - off < 14) return truncated(d, 'eth', off, 14, end);
	const layer: EthernetLayer = { kind: 'eth', offset: off - d.frame.start, dst: mac(b, off), src: mac(b, off + 6), type: u16(b, off + 12) };
	addLayer(d, layer, KIND.eth);
	if (d.eth === undefined) d.eth = layer;
	if (layer.type >= 0x600) byEthertype(d, layer.type, b, off + 14, end);
};
