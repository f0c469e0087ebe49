/** Address formatting without per-byte allocation: lookup tables for bytes. */
/** Two lower-case hex digits of each byte. */
export const HEX2: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const DEC: string[] = Array.from({ length: 256 }, (_, i) => String(i));

/**
 * Recently formatted addresses: captures repeat a few addresses many times, and a lookup is cheaper than
 * building the text (and its garbage) again. Direct-mapped by a hash of the bytes, which are kept as
 * integers beside the text: no key objects (a Map keyed by numbers above 2^31 boxes every key), bounded.
 */
const SLOTS = 4096;
const slotOf = (hash: number): number => Math.imul(hash, 0x9e3779b1) >>> 20;
const macHigh = new Int32Array(SLOTS).fill(-1);
const macLow = new Int32Array(SLOTS);
const macTexts: string[] = new Array<string>(SLOTS).fill('');
const ipv4Keys = new Int32Array(SLOTS);
const ipv4Texts: string[] = new Array<string>(SLOTS).fill('');
/** An IPv6 address's bytes as four 32-bit words per slot. */
const ipv6Words = new Int32Array(SLOTS * 4);
const ipv6Texts: string[] = new Array<string>(SLOTS).fill('');

export function mac(b: Uint8Array, o: number): string {
	const high = (b[o]! << 8) | b[o + 1]!;
	const low = (b[o + 2]! << 24) | (b[o + 3]! << 16) | (b[o + 4]! << 8) | b[o + 5]!;
	const slot = slotOf(low ^ Math.imul(high, 0x45d9f3b));
	if (macHigh[slot] === high && macLow[slot] === low) return macTexts[slot]!;
	const text = macText(b, o);
	macHigh[slot] = high;
	macLow[slot] = low;
	macTexts[slot] = text;
	return text;
}

/** The character codes of the hex digits. */
export const HEX_CODES: readonly number[] = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

/**
 * One flat string: a text joined from pieces is a tree of strings once it passes 12 characters, and a
 * replay keeps the MACs of the packets its decisions were made for (a tree is ten times the size).
 */
function macText(b: Uint8Array, o: number): string {
	const h = HEX_CODES;
	return String.fromCharCode(
		h[b[o]! >> 4]!, h[b[o]! & 15]!, 58, h[b[o + 1]! >> 4]!, h[b[o + 1]! & 15]!, 58, h[b[o + 2]! >> 4]!, h[b[o + 2]! & 15]!, 58,
		h[b[o + 3]! >> 4]!, h[b[o + 3]! & 15]!, 58, h[b[o + 4]! >> 4]!, h[b[o + 4]! & 15]!, 58, h[b[o + 5]! >> 4]!, h[b[o + 5]! & 15]!,
	);
}

/** Colon-separated hex of `n` bytes (link-layer addresses of any length). */
export function hexColons(b: Uint8Array, o: number, n: number): string {
	let text = '';
	for (let i = 0; i < n; i++) text += i === 0 ? HEX2[b[o + i]!] : `:${HEX2[b[o + i]!]}`;
	return text;
}

export function ipv4(b: Uint8Array, o: number): string {
	const key = (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!;
	const slot = slotOf(key);
	// An empty slot holds key 0 and no text: 0.0.0.0 is formatted, then kept, like any other address.
	if (ipv4Keys[slot] === key && ipv4Texts[slot] !== '') return ipv4Texts[slot]!;
	const text = ipv4Text(b, o);
	ipv4Keys[slot] = key;
	ipv4Texts[slot] = text;
	return text;
}

/** "0." … "255.": the first three bytes of an address with their dots, so that its text is three joins, not seven. */
const DEC_DOT: string[] = DEC.map((text) => `${text}.`);

function ipv4Text(b: Uint8Array, o: number): string {
	return DEC_DOT[b[o]!]! + DEC_DOT[b[o + 1]!]! + DEC_DOT[b[o + 2]!]! + DEC[b[o + 3]!]!;
}

const word = (b: Uint8Array, o: number): number => (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!;

/** RFC 5952 text: lower case, the longest run (≥ 2) of zero groups as ::, IPv4-mapped as ::ffff:a.b.c.d. */
export function ipv6(b: Uint8Array, o: number): string {
	const w0 = word(b, o);
	const w1 = word(b, o + 4);
	const w2 = word(b, o + 8);
	const w3 = word(b, o + 12);
	const slot = slotOf(w0 ^ Math.imul(w1, 0x45d9f3b) ^ Math.imul(w2, 0x2c1b3c6d) ^ Math.imul(w3, 0x297a2d39));
	const at = slot * 4;
	// An empty slot has no text (an address's text never is empty).
	if (ipv6Texts[slot] !== '' && ipv6Words[at] === w0 && ipv6Words[at + 1] === w1 && ipv6Words[at + 2] === w2 && ipv6Words[at + 3] === w3) {
		return ipv6Texts[slot]!;
	}
	const text = ipv6Text(b, o);
	ipv6Words[at] = w0;
	ipv6Words[at + 1] = w1;
	ipv6Words[at + 2] = w2;
	ipv6Words[at + 3] = w3;
	ipv6Texts[slot] = text;
	return text;
}

function ipv6Text(b: Uint8Array, o: number): string {
	let bestStart = -1;
	let bestLen = 0;
	let runStart = -1;
	for (let i = 0; i < 8; i++) {
		const zero = b[o + 2 * i] === 0 && b[o + 2 * i + 1] === 0;
		if (zero) {
			if (runStart < 0) runStart = i;
			const len = i - runStart + 1;
			if (len > bestLen) {
				bestLen = len;
				bestStart = runStart;
			}
		} else runStart = -1;
	}
	if (bestLen < 2) bestStart = -1;
	if (bestStart === 0 && bestLen === 5 && b[o + 10] === 0xff && b[o + 11] === 0xff) return `::ffff:${ipv4(b, o + 12)}`;
	let text = '';
	for (let i = 0; i < 8; i++) {
		if (i === bestStart) {
			text += '::';
			i += bestLen - 1;
			continue;
		}
		const group = ((b[o + 2 * i]! << 8) | b[o + 2 * i + 1]!).toString(16);
		text += i === 7 || i + 1 === bestStart ? group : `${group}:`;
	}
	return text;
}

export function hex16(n: number): string {
	return `0x${n.toString(16).padStart(4, '0')}`;
}
