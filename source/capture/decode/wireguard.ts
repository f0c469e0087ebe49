import type { WireguardLayer } from './packet.js';
import { addLayer, KIND, truncated, type Decoder } from './tables.js';

/** Fixed sizes of the handshake messages (initiation, response, cookie reply); transport data is at least 32. */
const SIZES = [0, 148, 92, 64, 32];

function u32le(b: Uint8Array, o: number): number {
	return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}

/**
 * WireGuard (UDP 51820): the message type, sender and receiver indices, and a transport message's counter.
 * The payload is encrypted: nothing inside is decoded. A message whose type or reserved bytes are wrong
 * is not WireGuard, and is left as UDP payload.
 */
export const decodeWireguard: Decoder = (d, b, off, end) => {
	if (end - off < 4) return;
	const type = b[off]!;
	if (type < 1 || type > 4 || b[off + 1] !== 0 || b[off + 2] !== 0 || b[off + 3] !== 0) return;
	const layer: WireguardLayer = { kind: 'wireguard', offset: off - d.frame.start, msgType: type, sender: undefined, receiver: undefined, counter: undefined, dataLength: undefined };
	addLayer(d, layer, KIND.wireguard);
	const need = SIZES[type]!;
	if (end - off < need) return truncated(d, 'wireguard', off, need, end);
	if (type === 1 || type === 2) layer.sender = u32le(b, off + 4);
	if (type === 2) layer.receiver = u32le(b, off + 8);
	if (type === 3 || type === 4) layer.receiver = u32le(b, off + 4);
	if (type === 4) {
		layer.counter = ((BigInt(u32le(b, off + 12)) << 32n) | BigInt(u32le(b, off + 8))).toString();
		layer.dataLength = end - off - 16;
	}
};
