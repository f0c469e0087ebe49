import { formatIp, type Ip } from './address.js';

export type CtState = 'NEW' | 'ESTABLISHED' | 'RELATED' | 'INVALID' | 'UNTRACKED';

/** The connection a packet belongs to, as conntrack records it (original and reply tuples). */
export interface Connection {
	origSrc: Ip;
	origDst: Ip;
	origSport?: number;
	origDport?: number;
	replSrc: Ip;
	replDst: Ip;
	replSport?: number;
	replDport?: number;
	/** The packet travels in the reply direction. */
	reply: boolean;
	seenReply: boolean;
	assured: boolean;
	confirmed: boolean;
	snat: boolean;
	dnat: boolean;
}

export const PROTOCOL_NUMBERS: Readonly<Record<string, number>> = {
	icmp: 1, igmp: 2, tcp: 6, udp: 17, gre: 47, esp: 50, ah: 51, icmpv6: 58, 'ipv6-icmp': 58,
	sctp: 132, udplite: 136, ipip: 4, ipv6: 41, ospf: 89, vrrp: 112, pim: 103, dccp: 33, mh: 135, all: 0,
};

/** Names by number, the first name given each (as the table lists them), made once: traces name a protocol per packet. */
const PROTOCOL_NAMES = new Map<number, string>();
for (const [name, number] of Object.entries(PROTOCOL_NUMBERS)) if (name !== 'all' && name !== 'ipv6-icmp' && !PROTOCOL_NAMES.has(number)) PROTOCOL_NAMES.set(number, name);

export function protocolName(proto: number): string {
	return PROTOCOL_NAMES.get(proto) ?? String(proto);
}

/** TCP flag bits as in the TCP header. */
export const TCP_FLAGS: Readonly<Record<string, number>> = {
	FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10, URG: 0x20, ECE: 0x40, CWR: 0x80,
};

/**
 * One packet as the kernel sees it at a hook. Mutable: NAT and MARK rewrite it as it travels, and the
 * trace copies it where it must show "before" and "after".
 */
export interface Packet {
	family: 4 | 6;
	proto: number;
	src: Ip;
	dst: Ip;
	sport?: number;
	dport?: number;
	icmpType?: number;
	icmpCode?: number;
	tcpFlags?: number;
	tcpOptions?: number[];
	/** Arrival interface; absent for a locally generated packet. */
	in?: string;
	/** Departure interface once routing chose it (or as the user typed it). */
	out?: string;
	srcMac?: string;
	dstMac?: string;
	mark: number;
	ctmark: number;
	ctState: CtState;
	ct: Connection;
	/** Whether the user typed the conntrack state (otherwise it is an assumption). */
	ctStateGiven: boolean;
	/** The packet originated on this host (the output path). */
	local: boolean;
	length: number;
	ttl: number;
	tos: number;
	/** A non-first fragment (matches -f). */
	fragment: boolean;
	uid?: number;
	gid?: number;
	payload?: Uint8Array;
	/** Bridge ports, when the packet is bridged or arrived through a bridge port. */
	physIn?: string;
	physOut?: string;
	/** 'host' | 'broadcast' | 'multicast' | 'otherhost' as the link layer classified it. */
	pktType?: 'unicast' | 'broadcast' | 'multicast';
}

export function clonePacket(packet: Packet): Packet {
	return { ...packet, ct: { ...packet.ct }, tcpOptions: packet.tcpOptions ? [...packet.tcpOptions] : undefined };
}

export function hasPorts(packet: Packet): boolean {
	return packet.proto === 6 || packet.proto === 17 || packet.proto === 132 || packet.proto === 33 || packet.proto === 136;
}

export interface PacketJson {
	family: 4 | 6;
	proto: string;
	src: string;
	dst: string;
	sport?: number;
	dport?: number;
	icmp_type?: number;
	icmp_code?: number;
	tcp_flags?: string;
	in?: string;
	out?: string;
	src_mac?: string;
	dst_mac?: string;
	/** The bridge ports (-m physdev) the packet came in and goes out by. */
	phys_in?: string;
	phys_out?: string;
	mark?: string;
	/** The connection's mark, when set (CONNMARK). */
	ctmark?: string;
	state: CtState;
	local?: boolean;
}

export function formatTcpFlags(flags: number): string {
	return Object.entries(TCP_FLAGS).filter(([, bit]) => (flags & bit) !== 0).map(([name]) => name).join(',') || 'NONE';
}

export function packetToJson(packet: Packet): PacketJson {
	const json: PacketJson = {
		family: packet.family,
		proto: protocolName(packet.proto),
		src: formatIp(packet.src),
		dst: formatIp(packet.dst),
		state: packet.ctState,
	};
	if (packet.sport !== undefined) json.sport = packet.sport;
	if (packet.dport !== undefined) json.dport = packet.dport;
	if (packet.icmpType !== undefined) json.icmp_type = packet.icmpType;
	if (packet.icmpCode !== undefined) json.icmp_code = packet.icmpCode;
	if (packet.tcpFlags !== undefined) json.tcp_flags = formatTcpFlags(packet.tcpFlags);
	if (packet.in) json.in = packet.in;
	if (packet.out) json.out = packet.out;
	if (packet.srcMac) json.src_mac = packet.srcMac;
	if (packet.dstMac) json.dst_mac = packet.dstMac;
	if (packet.physIn) json.phys_in = packet.physIn;
	if (packet.physOut) json.phys_out = packet.physOut;
	if (packet.mark) json.mark = `0x${packet.mark.toString(16)}`;
	if (packet.ctmark) json.ctmark = `0x${packet.ctmark.toString(16)}`;
	if (packet.local) json.local = true;
	return json;
}

/** A short human description: "tcp 10.2.67.113:51000 > 162.105.174.39:22". */
export function describePacket(packet: Packet): string {
	const port = (ip: Ip, p?: number) => (p === undefined ? formatIp(ip) : packet.family === 6 ? `[${formatIp(ip)}]:${p}` : `${formatIp(ip)}:${p}`);
	let text = `${protocolName(packet.proto)} ${port(packet.src, packet.sport)} > ${port(packet.dst, packet.dport)}`;
	if (packet.icmpType !== undefined) text += ` type ${packet.icmpType}/${packet.icmpCode ?? 0}`;
	if (packet.tcpFlags !== undefined) text += ` [${formatTcpFlags(packet.tcpFlags)}]`;
	if (packet.mark) text += ` mark 0x${packet.mark.toString(16)}`;
	return text;
}
