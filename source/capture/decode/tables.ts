import type { DecodedPacket } from './packet.js';

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
