import type { Ip } from '../packet/address.js';

/**
 * A conntrack tuple: what the kernel hashes a packet by. Ports for TCP, UDP, SCTP, DCCP and UDP-Lite;
 * for ICMP and ICMPv6 the echo identifier stands in the source port and type/code in the destination
 * port (as nf_conntrack_proto_icmp keeps them); other protocols have neither (0).
 */
export interface Tuple {
	readonly proto: number;
	readonly src: Ip;
	readonly dst: Ip;
	readonly sport: number;
	readonly dport: number;
}

/** The header an ICMP error quotes, as the error carries it (the datagram that caused it). */
export interface QuotedHeader {
	readonly proto: number;
	readonly src: Ip;
	readonly dst: Ip;
	readonly sport?: number;
	readonly dport?: number;
	readonly icmpType?: number;
	readonly icmpCode?: number;
	readonly icmpId?: number;
}

const PORTED = new Set([6, 17, 33, 132, 136]);

export function isIcmp(proto: number): boolean {
	return proto === 1 || proto === 58;
}

/** icmp_invert_tuple's map: the request and its answer (undefined: the type starts no connection). */
const ICMP_INVERSE: Readonly<Record<number, number>> = { 8: 0, 0: 8, 13: 14, 14: 13, 15: 16, 16: 15, 17: 18, 18: 17 };
const ICMPV6_INVERSE: Readonly<Record<number, number>> = { 128: 129, 129: 128, 139: 140, 140: 139 };

export function icmpInverse(proto: number, type: number): number | undefined {
	return (proto === 1 ? ICMP_INVERSE : ICMPV6_INVERSE)[type];
}

export function tupleOf(h: QuotedHeader): Tuple {
	if (isIcmp(h.proto)) return { proto: h.proto, src: h.src, dst: h.dst, sport: h.icmpId ?? 0, dport: ((h.icmpType ?? 0) << 8) | (h.icmpCode ?? 0) };
	const ported = PORTED.has(h.proto);
	return { proto: h.proto, src: h.src, dst: h.dst, sport: ported ? h.sport ?? 0 : 0, dport: ported ? h.dport ?? 0 : 0 };
}

/** The tuple of the answer (nf_ct_invert_tuple); undefined for an ICMP type that has no answer. */
export function invert(t: Tuple): Tuple | undefined {
	if (isIcmp(t.proto)) {
		const type = icmpInverse(t.proto, t.dport >>> 8);
		return type === undefined ? undefined : { proto: t.proto, src: t.dst, dst: t.src, sport: t.sport, dport: (type << 8) | (t.dport & 0xff) };
	}
	return { proto: t.proto, src: t.dst, dst: t.src, sport: t.dport, dport: t.sport };
}

/**
 * Keys are flat strings of UTF-16 code units, one per field of 16 bits: an IPv4 tuple's is 7 characters
 * (proto, two per address, one per port), an IPv6 tuple's 19. Text joined from numbers was a tree of
 * strings per key, kept for every connection, and made anew for every packet.
 */
function wordsKey(ip: Ip): string {
	const w = ip.words;
	if (w.length === 1) return String.fromCharCode(w[0]! >>> 16, w[0]! & 0xffff);
	return String.fromCharCode(w[0]! >>> 16, w[0]! & 0xffff, w[1]! >>> 16, w[1]! & 0xffff, w[2]! >>> 16, w[2]! & 0xffff, w[3]! >>> 16, w[3]! & 0xffff);
}

export function tupleKey(t: Tuple): string {
	const s = t.src.words;
	const d = t.dst.words;
	if (s.length === 1 && d.length === 1) return String.fromCharCode(t.proto, s[0]! >>> 16, s[0]! & 0xffff, t.sport, d[0]! >>> 16, d[0]! & 0xffff, t.dport);
	return String.fromCharCode(t.proto) + wordsKey(t.src) + String.fromCharCode(t.sport) + wordsKey(t.dst) + String.fromCharCode(t.dport);
}

/** The same key for both directions of a flow (flows are numbered by it): ICMP by its identifier, not its type. */
export function flowKey(t: Tuple): string {
	const icmp = isIcmp(t.proto);
	const a = wordsKey(t.src) + String.fromCharCode(t.sport);
	const b = wordsKey(t.dst) + String.fromCharCode(icmp ? t.sport : t.dport);
	return a < b ? String.fromCharCode(t.proto) + a + b : String.fromCharCode(t.proto) + b + a;
}
