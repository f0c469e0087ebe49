import { hexColons } from './format.js';
import type { SllLayer } from './packet.js';
import { cookedProtocolIsEthertype } from './sll.js';
import { addLayer, byEthertype, KIND, truncated, u16, u32, type Decoder } from './tables.js';

/**
 * Linux cooked capture v2 (LINKTYPE_LINUX_SLL2): the protocol, the interface index the packet was seen
 * on, ARPHRD type, packet type and link-layer address.
 */
export const decodeSll2: Decoder = (d, b, off, end) => {
	if (end - off < 20) return truncated(d, 'sll2', off, 20, end);
	const layer: SllLayer = {
		kind: 'sll2', offset: off - d.frame.start, pktType: b[off + 10]!, hatype: u16(b, off + 8),
		addr: hexColons(b, off + 12, Math.min(b[off + 11]!, 8)), protocol: u16(b, off), ifindex: u32(b, off + 4),
	};
	addLayer(d, layer, KIND.sll2);
	if (d.sll === undefined) d.sll = layer;
	if (cookedProtocolIsEthertype(layer.protocol)) byEthertype(d, layer.protocol, b, off + 20, end);
};
