import type { Ip } from '../packet/address.js';
import type { Connection, Packet } from '../packet/packet.js';
import type { HostModel } from '../trace/pipeline.js';
import { PacketSpecError } from '../packet/spec.js';
import type { DecodedPacket, SllLayer } from './decode/packet.js';
import type { Frame } from './frame.js';
import type { CommonFrame } from './common-frame.js';

/** What is known about the host's interfaces when a captured packet is turned into the engine's Packet. */
export interface LinkInfo {
	/** The arrival interface the user named (--in): it wins over what the capture says. */
	readonly in?: string;
	/** Interface names by index (from the host's links), to name an SLL2 header's interface index. */
	readonly ifNames?: ReadonlyMap<number, string>;
}

export type ArrivalSource = 'flag' | 'pcapng' | 'sll2' | 'none';

/** What a host says about its interfaces for captured packets: their names by index (an SLL2 header's), and --in. */
export function linkInfoOf(host: HostModel, inFlag?: string): LinkInfo {
	const ifNames = new Map<number, string>();
	for (const link of host.links?.links ?? []) if (link.index !== undefined) ifNames.set(link.index, link.name);
	return { ...(inFlag !== undefined ? { in: inFlag } : {}), ifNames };
}

/** Where a captured packet's arrival interface comes from, so that the trace can say so. */
export function arrivalOf(decoded: DecodedPacket, linkInfo: LinkInfo = {}): { name: string | undefined; from: ArrivalSource } {
	return arrivalFrom(decoded.frame, decoded.sll, linkInfo);
}

function arrivalFrom(frame: Frame, sll: SllLayer | undefined, linkInfo: LinkInfo): { name: string | undefined; from: ArrivalSource } {
	if (linkInfo.in !== undefined) return { name: linkInfo.in, from: 'flag' };
	// tcpdump -i any names its one interface "any": the SLL2 header says which interface each packet used.
	const ifName = frame.ifName;
	if (ifName !== undefined && ifName !== '' && ifName !== 'any') return { name: ifName, from: 'pcapng' };
	if (sll?.ifindex !== undefined) {
		const name = linkInfo.ifNames?.get(sll.ifindex);
		if (name !== undefined) return { name, from: 'sll2' };
	}
	return { name: undefined, from: 'none' };
}

/** Why a frame without an IP header cannot be traced (what toEnginePacket throws for it). */
export function withoutIp(decoded: DecodedPacket): string {
	const what = decoded.arp !== undefined ? 'an ARP packet' : decoded.layers.length === 0 ? 'not decoded' : `a ${decoded.layers[decoded.layers.length - 1]!.kind} frame without an IP header`;
	return `packet ${decoded.frame.n} is ${what}: netsleuth traces IPv4 and IPv6 packets`;
}

function u32At(b: Uint8Array, at: number): number {
	return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

/**
 * IPv4 addresses made once while they recur (direct-mapped by a hash of the word): a replay makes two per
 * packet otherwise. Ip is immutable. 65,536 slots: with 8,192, the kube replay's addresses evicted each
 * other, and the evicted ones (kept by the decision memo's keys) were 8 MB of its old-generation garbage.
 */
const IPV4_SLOTS = 65536;
const IPV4_MADE: Ip[] = new Array<Ip>(IPV4_SLOTS).fill({ family: 4, words: [0] });
/** Each slot's word, side by side: the check reads one array, not the object and its words. */
const IPV4_WORDS = new Uint32Array(IPV4_SLOTS);

function ip4At(b: Uint8Array, at: number): Ip {
	const word = u32At(b, at);
	const slot = (word ^ (word >>> 13) ^ (word >>> 21)) & (IPV4_SLOTS - 1);
	if (IPV4_WORDS[slot] === word) return IPV4_MADE[slot]!;
	IPV4_WORDS[slot] = word;
	return (IPV4_MADE[slot] = { family: 4, words: [word] });
}

function ip6At(b: Uint8Array, at: number): Ip {
	return { family: 6, words: [u32At(b, at), u32At(b, at + 4), u32At(b, at + 8), u32At(b, at + 12)] };
}

/** A packet's connection before conntrack is asked (toEnginePacket's withConnection false): replaced by ownConnection or conntrack's. */
const NO_ADDRESS: Ip = { family: 4, words: [0] };
export const PENDING_CONNECTION: Connection = Object.freeze({
	origSrc: NO_ADDRESS, origDst: NO_ADDRESS, replSrc: NO_ADDRESS, replDst: NO_ADDRESS,
	origSport: undefined, origDport: undefined, replSport: undefined, replDport: undefined,
	reply: false, seenReply: false, assured: false, confirmed: false, snat: false, dnat: false,
});

/** The connection a first packet makes: its own tuple both ways, nothing seen yet. */
export function ownConnection(p: Packet): Connection {
	return {
		origSrc: p.src, origDst: p.dst, replSrc: p.dst, replDst: p.src, origSport: p.sport, origDport: p.dport, replSport: p.dport, replDport: p.sport,
		reply: false, seenReply: false, assured: false, confirmed: false, snat: false, dnat: false,
	};
}

/**
 * The engine's Packet for a decoded frame: the outermost IP header and its transport header (what the
 * host's netfilter hooks see; a tunnel's inner packet is payload), the link-layer addresses, and the
 * arrival interface when the capture or the user names it. Conntrack state starts as a first packet's
 * (NEW, not given): a replay decides it, and makes the packet's own connection only when conntrack has
 * none for it (`withConnection` false). Throws a PacketSpecError for a frame without an IP header.
 */
export function toEnginePacket(decoded: DecodedPacket, linkInfo: LinkInfo = {}, withConnection = true): Packet {
	const ip = decoded.ip;
	if (ip === undefined) throw new PacketSpecError(withoutIp(decoded));
	// The addresses from the header's bytes: parsing the decoder's text again would cost more than the rest.
	const at = decoded.frame.start + ip.offset;
	const family = ip.kind === 'ipv4' ? 4 : 6;
	const src = family === 4 ? ip4At(decoded.frame.buf, at + 12) : ip6At(decoded.frame.buf, at + 8);
	const dst = family === 4 ? ip4At(decoded.frame.buf, at + 16) : ip6At(decoded.frame.buf, at + 24);
	const packet = newPacket(
		family, ip.proto, src, dst,
		ip.kind === 'ipv4'
			? (ip.totalLength !== 0 ? ip.totalLength : decoded.frame.caplen - ip.offset)
			: (ip.payloadLength !== 0 ? ip.payloadLength + 40 : ip.jumbo !== undefined ? ip.jumbo + 40 : decoded.frame.caplen - ip.offset),
		ip.kind === 'ipv4' ? ip.ttl : ip.hopLimit,
		ip.kind === 'ipv4' ? ip.tos : ip.tclass,
		ip.kind === 'ipv4' ? ip.fragOffset !== 0 : ip.fragment !== undefined && ip.fragment.offset !== 0,
	);
	const t = decoded.transport;
	if (t !== undefined) {
		if (t.kind === 'tcp' || t.kind === 'udp') {
			packet.sport = t.sport;
			packet.dport = t.dport;
			packet.payload = payloadOf(decoded.frame, decoded.frame.start + t.offset + (t.kind === 'tcp' ? t.hlen : 8));
		}
		if (t.kind === 'tcp') {
			packet.tcpFlags = t.flags & 0xff;
			// The decoder's own list when it holds no padding (it is made for this frame).
			packet.tcpOptions = t.options.includes(0) || t.options.includes(1) ? t.options.filter((kind) => kind !== 0 && kind !== 1) : t.options;
		}
		if (t.kind === 'icmp' || t.kind === 'icmpv6') {
			packet.icmpType = t.type;
			packet.icmpCode = t.code;
		}
	}
	const eth = decoded.eth;
	if (eth !== undefined) setMacs(packet, eth.src, eth.dst);
	else if (decoded.sll !== undefined) {
		const sll = decoded.sll;
		if (sll.hatype === 1 && sll.addr.length === 17) packet.srcMac = sll.addr;
		packet.pktType = sll.pktType === 1 ? 'broadcast' : sll.pktType === 2 ? 'multicast' : 'unicast';
	}
	if (withConnection) packet.ct = ownConnection(packet);
	setArrival(packet, decoded.frame, decoded.sll, linkInfo);
	return packet;
}

/**
 * toEnginePacket for a frame CommonFrame read (Ethernet, IPv4 without fragments, TCP or UDP): the same
 * packet, made from the numbers read rather than from the decoder's layers; its connection pending.
 */
export function commonEnginePacket(frame: Frame, common: CommonFrame, linkInfo: LinkInfo): Packet {
	const b = frame.buf;
	const at = common.ipAt;
	const packet = newPacket(4, common.proto, ip4At(b, at + 12), ip4At(b, at + 16), common.totalLength, b[at + 8]!, b[at + 1]!, false);
	packet.sport = common.sport;
	packet.dport = common.dport;
	packet.payload = payloadOf(frame, common.payloadAt);
	if (common.proto === 6) {
		packet.tcpFlags = common.tcpFlags;
		packet.tcpOptions = common.tcpOptions;
	}
	setMacs(packet, common.srcMac, common.dstMac);
	setArrival(packet, frame, undefined, linkInfo);
	return packet;
}

/** A captured packet before its transport and link: every field is here from the start (one object shape, no property store grown per packet). */
function newPacket(family: 4 | 6, proto: number, src: Ip, dst: Ip, length: number, ttl: number, tos: number, fragment: boolean): Packet {
	return {
		family, proto, src, dst,
		mark: 0, ctmark: 0, ctState: 'NEW', ctStateGiven: false,
		ct: PENDING_CONNECTION,
		sport: undefined, dport: undefined, payload: undefined, tcpFlags: undefined, tcpOptions: undefined, icmpType: undefined, icmpCode: undefined,
		srcMac: undefined, dstMac: undefined, pktType: undefined, in: undefined,
		local: false, length, ttl, tos, fragment,
	};
}

/**
 * The bytes after the transport header to the end of the capture: a view of the reader's chunk, as the
 * frame is (whatever keeps a packet copies it: the decision memo). A plain view: Buffer's subarray makes
 * a Buffer, slower to make, for every packet.
 */
function payloadOf(frame: Frame, start: number): Uint8Array | undefined {
	const end = frame.start + frame.caplen;
	const buf = frame.buf;
	return end > start ? new Uint8Array(buf.buffer, buf.byteOffset + start, end - start) : undefined;
}

function setMacs(packet: Packet, src: string, dst: string): void {
	packet.srcMac = src;
	packet.dstMac = dst;
	// The group bit: the low bit of the first byte, whose second hex digit is 0-9 or a-f.
	const digit = dst.charCodeAt(1);
	const group = (digit <= 57 ? digit - 48 : digit - 87) & 1;
	packet.pktType = dst === 'ff:ff:ff:ff:ff:ff' ? 'broadcast' : group === 1 ? 'multicast' : 'unicast';
}

function setArrival(packet: Packet, frame: Frame, sll: SllLayer | undefined, linkInfo: LinkInfo): void {
	// Most captures name no interface at all: no answer to make then.
	if (linkInfo.in === undefined && frame.ifName === undefined && sll === undefined) return;
	const arrival = arrivalFrom(frame, sll, linkInfo);
	if (arrival.name !== undefined) packet.in = arrival.name;
}
