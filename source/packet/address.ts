import ipaddr from 'ipaddr.js';

/** An IP address as 32-bit words: one word for IPv4, four for IPv6 (cheap to mask and compare). */
export interface Ip {
	readonly family: 4 | 6;
	readonly words: readonly number[];
}

export interface Cidr extends Ip {
	readonly prefix: number;
	readonly mask: readonly number[];
}

export function familyOf(text: string): 4 | 6 | undefined {
	if (ipaddr.IPv4.isValidFourPartDecimal(text)) return 4;
	if (ipaddr.IPv6.isValid(text)) return 6;
	return undefined;
}

function bytesToWords(bytes: number[]): number[] {
	const words: number[] = [];
	for (let i = 0; i < bytes.length; i += 4) {
		words.push(((bytes[i]! << 24) | (bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!) >>> 0);
	}
	return words;
}

/**
 * A canonical dotted quad (what decoders print: four decimal parts, no leading zeros, each ≤ 255) as its
 * word, read without ipaddr.js (captures ask for two per packet); undefined for any other text.
 */
function canonicalIpv4(text: string): number | undefined {
	let word = 0;
	let part = 0;
	let digits = 0;
	let dots = 0;
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (c === 46) {
			if (digits === 0 || ++dots > 3) return undefined;
			word = word * 256 + part;
			part = 0;
			digits = 0;
		} else if (c >= 48 && c <= 57) {
			if (digits > 0 && part === 0) return undefined;
			part = part * 10 + c - 48;
			if (part > 255) return undefined;
			digits++;
		} else return undefined;
	}
	if (dots !== 3 || digits === 0) return undefined;
	return word * 256 + part;
}

/** Parses a dotted-quad IPv4 or any IPv6 text; undefined when it is neither. */
export function parseIp(text: string): Ip | undefined {
	const quad = canonicalIpv4(text);
	if (quad !== undefined) return { family: 4, words: [quad] };
	const family = familyOf(text);
	if (family === undefined) return undefined;
	const bytes = ipaddr.parse(text).toByteArray();
	return { family, words: bytesToWords(bytes) };
}

function maskWords(family: 4 | 6, prefix: number): number[] {
	const count = family === 4 ? 1 : 4;
	const mask: number[] = [];
	for (let i = 0; i < count; i++) {
		const bits = Math.max(0, Math.min(32, prefix - i * 32));
		mask.push(bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0);
	}
	return mask;
}

/** Prefix length of a contiguous netmask (255.255.0.0 → 16), undefined when the mask is not contiguous. */
function prefixOfMask(mask: Ip): number | undefined {
	let prefix = 0;
	let ended = false;
	for (const word of mask.words) {
		for (let bit = 31; bit >= 0; bit--) {
			const set = ((word >>> bit) & 1) === 1;
			if (set && ended) return undefined;
			if (set) prefix++;
			else ended = true;
		}
	}
	return prefix;
}

/**
 * Parses "10.0.0.0/8", "10.0.0.0/255.0.0.0" or a bare address (a host route) the way iptables accepts
 * them. Host bits are cleared, as iptables does when it stores the rule.
 */
export function parseCidr(text: string): Cidr | undefined {
	const slash = text.indexOf('/');
	const ip = parseIp(slash < 0 ? text : text.slice(0, slash));
	if (!ip) return undefined;
	const bits = ip.family === 4 ? 32 : 128;
	let prefix = bits;
	if (slash >= 0) {
		const suffix = text.slice(slash + 1);
		if (/^\d{1,3}$/.test(suffix)) prefix = Number(suffix);
		else {
			const mask = parseIp(suffix);
			const fromMask = mask && mask.family === ip.family ? prefixOfMask(mask) : undefined;
			if (fromMask === undefined) return undefined;
			prefix = fromMask;
		}
		if (prefix > bits) return undefined;
	}
	const mask = maskWords(ip.family, prefix);
	return { family: ip.family, prefix, mask, words: ip.words.map((w, i) => (w & mask[i]!) >>> 0) };
}

export function cidrContains(cidr: Cidr, ip: Ip): boolean {
	if (cidr.family !== ip.family) return false;
	const { words, mask } = cidr;
	for (let i = 0; i < words.length; i++) {
		if (((ip.words[i]! & mask[i]!) >>> 0) !== words[i]) return false;
	}
	return true;
}

export function ipEquals(a: Ip, b: Ip): boolean {
	// Captured packets share address objects (to-packet.ts): the same object is the common case.
	if (a === b) return true;
	if (a.family !== b.family) return false;
	for (let i = 0; i < a.words.length; i++) if (a.words[i] !== b.words[i]) return false;
	return true;
}

/** Orders addresses numerically (for ranges); both must be of one family. */
export function compareIp(a: Ip, b: Ip): number {
	for (let i = 0; i < a.words.length; i++) {
		const d = a.words[i]! - b.words[i]!;
		if (d !== 0) return d;
	}
	return 0;
}

export function formatIp(ip: Ip): string {
	if (ip.family === 4) {
		const w = ip.words[0]!;
		return `${w >>> 24}.${(w >>> 16) & 255}.${(w >>> 8) & 255}.${w & 255}`;
	}
	const parts: number[] = [];
	for (const w of ip.words) parts.push(w >>> 16, w & 0xffff);
	return new ipaddr.IPv6(parts).toRFC5952String();
}

export function formatCidr(cidr: Cidr): string {
	return `${formatIp(cidr)}/${cidr.prefix}`;
}

/** The address plus n, wrapping within the family (used by NAT ranges). */
export function addToIp(ip: Ip, n: number): Ip {
	const words = [...ip.words];
	let carry = n;
	for (let i = words.length - 1; i >= 0 && carry !== 0; i--) {
		const sum = words[i]! + carry;
		words[i] = sum >>> 0;
		carry = Math.floor(sum / 0x100000000);
	}
	return { family: ip.family, words };
}

export function ipDistance(from: Ip, to: Ip): number {
	return to.words[to.words.length - 1]! - from.words[from.words.length - 1]!;
}
