import { decodeEthernet } from './ethernet.js';
import type { GeneveLayer } from './packet.js';
import { addLayer, byEthertype, enter, KIND, note, truncated, u16, u32, type Decoder } from './tables.js';

/** Geneve (UDP 6081): version, options, the VNI, then the inner frame (Ethernet, or what the protocol type names). */
export const decodeGeneve: Decoder = (d, b, off, end) => {
	if (end - off < 8) return truncated(d, 'geneve', off, 8, end);
	const optLength = (b[off]! & 0x3f) * 4;
	const layer: GeneveLayer = {
		kind: 'geneve', offset: off - d.frame.start, version: b[off]! >> 6, optLength, oam: (b[off + 1]! & 0x80) !== 0,
		critical: (b[off + 1]! & 0x40) !== 0, protocol: u16(b, off + 2), vni: u32(b, off + 4) >>> 8,
	};
	addLayer(d, layer, KIND.geneve);
	if (layer.version !== 0) return note(d, `geneve: version ${layer.version} is not decoded`);
	if (end - off < 8 + optLength) return truncated(d, 'geneve', off, 8 + optLength, end);
	if (!enter(d)) return;
	if (layer.protocol === 0x6558) decodeEthernet(d, b, off + 8 + optLength, end);
	else byEthertype(d, layer.protocol, b, off + 8 + optLength, end);
};
