import type { DecodedPacket, Layer, LayerKind } from './packet.js';

/**
 * Dispatch tables, filled by decode/index.ts: link type → decoder, EtherType → decoder, IP protocol →
 * decoder, UDP/TCP port → application decoder. A decoder reads `b[off .. end)` (`end` is where the
 * layer's bytes end: the captured bytes or the enclosing header's length, whichever is less), checks
 * every length before it reads, pushes its layer and hands the rest to the next table.
 */
export type Decoder = (d: DecodedPacket, b: Uint8Array, off: number, end: number) => void;

export const LINK_TYPES = new Map<number, Decoder>();
/** Indexed by EtherType, IP protocol and port: an array read is cheaper than a Map lookup on the hot path. */
export const ETHERTYPES: (Decoder | undefined)[] = new Array<Decoder | undefined>(65536).fill(undefined);
export const IP_PROTOCOLS: (Decoder | undefined)[] = new Array<Decoder | undefined>(256).fill(undefined);
export const UDP_PORTS: (Decoder | undefined)[] = new Array<Decoder | undefined>(65536).fill(undefined);
export const TCP_PORTS: (Decoder | undefined)[] = new Array<Decoder | undefined>(65536).fill(undefined);

/** The shared empty list of a header without options (never pushed to: a header with options gets its own). */
export const NONE: number[] = Object.freeze([]) as unknown as number[];

/** Deepest encapsulation decoded (tunnels in tunnels, quoted datagrams). */
export const MAX_DEPTH = 8;

/** Each layer kind's number in a sequence of kinds (from 1: 0 is no layer). */
export const KIND = {
	eth: 1, sll: 2, sll2: 3, null: 4, vlan: 5, arp: 6, ipv4: 7, ipv6: 8, tcp: 9, udp: 10, icmp: 11, icmpv6: 12,
	dns: 13, vxlan: 14, geneve: 15, gre: 16, wireguard: 17,
} as const satisfies Record<LayerKind, number>;
const KINDS = 18;

/**
 * Sequences of layer kinds ("eth, ipv4, tcp") numbered in the order decoding meets them, so that what
 * depends on the sequence alone (the "layers" list as JSON, whether a DNS name is in it) is made once
 * and then found by index. A tree in a table: the sequence s followed by kind k is NEXT[s * KINDS + k]
 * (0: not met yet; 0 is also the empty sequence, which never follows another). A capture has few
 * sequences; past MAX_SEQUENCES (a hostile file) packets get -1 and their users work it out each time.
 */
export const MAX_SEQUENCES = 4096;
const NEXT = new Int32Array(MAX_SEQUENCES * KINDS);
let sequencesMet = 1;

/** Appends a decoded layer to the packet, and numbers its sequence of layer kinds. */
export function addLayer(d: DecodedPacket, layer: Layer, kind: number): void {
	d.layers.push(layer);
	const at = d.sequence * KINDS + kind;
	if (at < 0) return;
	let next = NEXT[at]!;
	if (next === 0) {
		if (sequencesMet === MAX_SEQUENCES) {
			d.sequence = -1;
			return;
		}
		next = sequencesMet++;
		NEXT[at] = next;
	}
	d.sequence = next;
}

export function byEthertype(d: DecodedPacket, type: number, b: Uint8Array, off: number, end: number): void {
	const next = ETHERTYPES[type];
	if (next !== undefined) next(d, b, off, end);
}

export function byIpProtocol(d: DecodedPacket, proto: number, b: Uint8Array, off: number, end: number): void {
	const next = IP_PROTOCOLS[proto];
	if (next !== undefined) next(d, b, off, end);
}

/** Records that a layer needs `need` bytes at `off` but only `end - off` are there. */
export function truncated(d: DecodedPacket, layer: string, off: number, need: number, end: number): void {
	if (d.quoted > 0) return; // an ICMP error quotes only the start of a datagram: that is not truncation
	if (d.truncated === undefined) d.truncated = { layer, offset: off - d.frame.start, need, have: Math.max(0, end - off) };
}

export function note(d: DecodedPacket, text: string): void {
	if (d.quoted > 0) return;
	(d.notes ??= []).push(text);
}

/** Enters an encapsulated packet; false (and a note) when it is nested too deep. */
export function enter(d: DecodedPacket): boolean {
	if (d.depth >= MAX_DEPTH) {
		note(d, `encapsulation deeper than ${MAX_DEPTH} levels: not decoded further`);
		return false;
	}
	d.depth++;
	return true;
}

export function u16(b: Uint8Array, o: number): number {
	return (b[o]! << 8) | b[o + 1]!;
}

export function u32(b: Uint8Array, o: number): number {
	return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}
