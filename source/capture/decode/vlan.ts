import type { DecodedPacket, VlanLayer } from './packet.js';
import { addLayer, byEthertype, KIND, truncated, u16 } from './tables.js';

/** An 802.1Q (TPID 0x8100) or 802.1ad/QinQ (0x88a8, 0x9100) tag: priority, DEI, VLAN id, inner type. */
export function decodeVlan(d: DecodedPacket, b: Uint8Array, off: number, end: number, tpid: number): void {
	if (end - off < 4) return truncated(d, 'vlan', off, 4, end);
	const tci = u16(b, off);
	const layer: VlanLayer = { kind: 'vlan', offset: off - d.frame.start, tpid, pcp: tci >> 13, dei: (tci & 0x1000) !== 0, vid: tci & 0xfff, type: u16(b, off + 2) };
	addLayer(d, layer, KIND.vlan);
	if (layer.type >= 0x600) byEthertype(d, layer.type, b, off + 4, end);
}
