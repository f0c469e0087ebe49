import { HEX_CODES } from './format.js';
import type { DnsLayer } from './packet.js';
import { addLayer, KIND, note, truncated, u16, type Decoder } from './tables.js';

const PRINTABLE = new Uint8Array(256);
for (let c = 0x21; c < 0x7f; c++) PRINTABLE[c] = 1;

const DOT = 0x2e;
const BACKSLASH = 0x5c;
const LETTER_X = 0x78;

/** Where readName stopped (the byte after the name in the record it began in); -1 when the name is bad. */
let nameEnd = -1;
let nameError = '';

/**
 * A domain name at `o` of the message that begins at `msg`: labels, compression pointers (only
 * backwards, at most 64 of them), at most 255 bytes. Bytes outside printable ASCII are shown as \xHH.
 * When the name is bad (nameEnd -1, nameError says why) the text returned is empty: it is not used.
 */
function readName(b: Uint8Array, msg: number, o: number, end: number): string {
	// The name's character codes, made into one string at the end (not a string per character).
	const codes: number[] = [];
	let jumps = 0;
	let length = 0;
	nameEnd = -1;
	for (;;) {
		if (o >= end) {
			nameError = 'the name runs past the message';
			return '';
		}
		const len = b[o]!;
		if (len === 0) {
			if (nameEnd < 0) nameEnd = o + 1;
			return codes.length === 0 ? '<Root>' : String.fromCharCode.apply(null, codes);
		}
		if ((len & 0xc0) === 0xc0) {
			if (o + 1 >= end) {
				nameError = 'a compression pointer runs past the message';
				nameEnd = -1;
				return '';
			}
			const target = msg + (((len & 0x3f) << 8) | b[o + 1]!);
			if (nameEnd < 0) nameEnd = o + 2;
			if (++jumps > 64 || target >= o) {
				nameError = 'a compression pointer loops or points forward';
				nameEnd = -1;
				return '';
			}
			o = target;
			continue;
		}
		if ((len & 0xc0) !== 0) {
			nameError = `label type 0x${(len & 0xc0).toString(16)} is not supported`;
			nameEnd = -1;
			return '';
		}
		if (o + 1 + len > end) {
			nameError = 'a label runs past the message';
			nameEnd = -1;
			return '';
		}
		length += len + 1;
		if (length > 255) {
			nameError = 'the name is longer than 255 bytes';
			nameEnd = -1;
			return '';
		}
		if (codes.length > 0) codes.push(DOT);
		for (let i = o + 1; i <= o + len; i++) {
			const c = b[i]!;
			if (PRINTABLE[c] === 1) codes.push(c);
			else codes.push(BACKSLASH, LETTER_X, HEX_CODES[c >> 4]!, HEX_CODES[c & 15]!);
		}
		o += 1 + len;
	}
}

function dns(d: Parameters<Decoder>[0], b: Uint8Array, off: number, end: number, tcp: boolean): void {
	if (end - off < 12) return truncated(d, 'dns', off, 12, end);
	const flags = u16(b, off + 2);
	const layer: DnsLayer = {
		kind: 'dns', offset: off - d.frame.start, id: u16(b, off), response: (flags & 0x8000) !== 0,
		opcode: (flags >> 11) & 0xf, rcode: flags & 0xf, qdcount: u16(b, off + 4), ancount: u16(b, off + 6),
		nscount: u16(b, off + 8), arcount: u16(b, off + 10), qname: undefined, qtype: undefined, tcp,
	};
	addLayer(d, layer, KIND.dns);
	if (layer.qdcount === 0) return;
	const qname = readName(b, off, off + 12, end);
	if (nameEnd < 0) {
		if (nameError.startsWith('the name runs past') || nameError.startsWith('a label runs past')) return truncated(d, 'dns', off, end - off + 1, end);
		return note(d, `dns: ${nameError}`);
	}
	layer.qname = qname;
	if (nameEnd + 4 > end) return truncated(d, 'dns', off, nameEnd + 4 - off, end);
	layer.qtype = u16(b, nameEnd);
}

/** DNS over UDP (port 53, and mDNS on 5353): the header and the first question. */
export const decodeDns: Decoder = (d, b, off, end) => dns(d, b, off, end, false);

/** DNS over TCP: a two-byte length, then the same message. */
export const decodeDnsTcp: Decoder = (d, b, off, end) => {
	if (end - off < 2) return truncated(d, 'dns', off, 2, end);
	const length = u16(b, off);
	dns(d, b, off + 2, Math.min(end, off + 2 + length), true);
};
