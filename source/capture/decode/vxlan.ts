import { decodeEthernet } from './ethernet.js';
import type { VxlanLayer } from './packet.js';
import { addLayer, enter, KIND, truncated, u32, type Decoder } from './tables.js';

/** VXLAN (UDP 4789; Linux/flannel's 8472): flags, the 24-bit VNI, then the inner Ethernet frame. */
export const decodeVxlan: Decoder = (d, b, off, end) => {
	if (end - off < 8) return truncated(d, 'vxlan', off, 8, end);
	const layer: VxlanLayer = { kind: 'vxlan', offset: off - d.frame.start, flags: b[off]!, vni: u32(b, off + 4) >>> 8 };
	addLayer(d, layer, KIND.vxlan);
	if (enter(d)) decodeEthernet(d, b, off + 8, end);
};
