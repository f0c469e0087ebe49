import { hexColons } from './format.js';
import type { SllLayer } from './packet.js';
import { addLayer, byEthertype, KIND, truncated, u16, type Decoder } from './tables.js';

/** Protocol values of a cooked header that are not EtherTypes (802.3 frames, 802.2 LLC, CAN …). */
export function cookedProtocolIsEthertype(protocol: number): boolean {
	return protocol >= 0x600;
}

/**
 * Linux cooked capture v1 (LINKTYPE_LINUX_SLL, `tcpdump -i any`): packet type, ARPHRD type, the
 * link-layer address (at most 8 bytes shown, whatever length it claims) and the protocol.
 */
export const decodeSll: Decoder = (d, b, off, end) => {
	if (end - off < 16) return truncated(d, 'sll', off, 16, end);
	const halen = u16(b, off + 4);
	const layer: SllLayer = {
		kind: 'sll', offset: off - d.frame.start, pktType: u16(b, off), hatype: u16(b, off + 2),
		addr: hexColons(b, off + 6, Math.min(halen, 8)), protocol: u16(b, off + 14), ifindex: undefined,
	};
	addLayer(d, layer, KIND.sll);
	if (d.sll === undefined) d.sll = layer;
	if (cookedProtocolIsEthertype(layer.protocol)) byEthertype(d, layer.protocol, b, off + 16, end);
};
