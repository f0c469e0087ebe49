import type { NullLayer } from './packet.js';
import { addLayer, byEthertype, KIND, truncated, u32, type Decoder } from './tables.js';

/** AF_INET, and AF_INET6 as Linux, FreeBSD, Darwin and the other BSDs number it. */
function ethertypeOf(family: number): number {
	if (family === 2) return 0x0800;
	if (family === 10 || family === 24 || family === 28 || family === 30) return 0x86dd;
	return -1;
}

function loopback(d: Parameters<Decoder>[0], b: Uint8Array, off: number, end: number, family: number): void {
	const layer: NullLayer = { kind: 'null', offset: off - d.frame.start, family };
	addLayer(d, layer, KIND.null);
	const type = ethertypeOf(family);
	if (type >= 0) byEthertype(d, type, b, off + 4, end);
}

/** BSD loopback (LINKTYPE_NULL): a 4-byte address family in the capturing host's byte order. */
export const decodeNull: Decoder = (d, b, off, end) => {
	if (end - off < 4) return truncated(d, 'null', off, 4, end);
	let family = u32(b, off);
	if ((family & 0xffff0000) !== 0) family = (b[off]! | (b[off + 1]! << 8) | (b[off + 2]! << 16) | (b[off + 3]! << 24)) >>> 0;
	loopback(d, b, off, end, family);
};

/** OpenBSD loopback (LINKTYPE_LOOP): the same family, in network byte order. */
export const decodeLoop: Decoder = (d, b, off, end) => {
	if (end - off < 4) return truncated(d, 'null', off, 4, end);
	loopback(d, b, off, end, u32(b, off));
};
