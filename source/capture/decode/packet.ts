import type { Frame } from '../frame.js';

/**
 * A decoded frame: the layers from the link layer inwards, with shortcuts to the outermost network and
 * transport layers (what the host's firewall sees). Layers never throw: a layer whose bytes run out
 * records where it stopped in `truncated` and decoding ends there; what was decoded before stays.
 */
export interface DecodedPacket {
	readonly frame: Frame;
	readonly layers: Layer[];
	/** The first (outermost) Ethernet header. */
	eth: EthernetLayer | undefined;
	/** Linux cooked header (SLL or SLL2), when the link type is one. */
	sll: SllLayer | undefined;
	/** The outermost IP header. */
	ip: Ipv4Layer | Ipv6Layer | undefined;
	/** The transport header the outermost IP header carries (not a tunnelled packet's). */
	transport: TcpLayer | UdpLayer | IcmpLayer | Icmpv6Layer | undefined;
	arp: ArpLayer | undefined;
	/** Where the bytes ran out before a header ended (outside an ICMP error's quoted datagram). */
	truncated: Truncation | undefined;
	/** Things wrong with the packet that did not stop decoding, or stopped it without truncation. */
	notes: string[] | undefined;
	/**
	 * The number of this packet's sequence of layer kinds, the same for every packet with the same kinds
	 * in the same order (decode/tables.ts numbers them); -1 when too many sequences have been met.
	 */
	sequence: number;
	// decoding state
	/** The IP header whose payload is being decoded, and where its payload ends as its header declares. */
	cur: Ipv4Layer | Ipv6Layer | undefined;
	ipEnd: number;
	/** Encapsulation depth (tunnels, quoted datagrams). */
	depth: number;
	/** > 0 while decoding the datagram an ICMP error quotes. */
	quoted: number;
}

export interface Truncation {
	layer: string;
	/** Byte offset in the frame where the layer begins. */
	offset: number;
	/** Bytes the layer needs from there, and bytes captured from there. */
	need: number;
	have: number;
}

interface Base {
	/** Byte offset of the layer in the frame. */
	offset: number;
}

export interface EthernetLayer extends Base {
	kind: 'eth';
	dst: string;
	src: string;
	/** EtherType, or the 802.3 length (< 0x600) of an LLC frame. */
	type: number;
}

export interface SllLayer extends Base {
	kind: 'sll' | 'sll2';
	/** 0 to us, 1 broadcast, 2 multicast, 3 another host, 4 sent by us. */
	pktType: number;
	hatype: number;
	/** Link-layer source address (as many bytes as the header says, at most 8). */
	addr: string;
	protocol: number;
	/** SLL2 only. */
	ifindex: number | undefined;
}

export interface NullLayer extends Base {
	kind: 'null';
	/** Address family (AF_INET 2; AF_INET6 10, 24, 28 or 30 by OS). */
	family: number;
}

export interface VlanLayer extends Base {
	kind: 'vlan';
	/** The TPID that introduced the tag: 0x8100 (802.1Q), 0x88a8 (802.1ad) or 0x9100. */
	tpid: number;
	pcp: number;
	dei: boolean;
	vid: number;
	type: number;
}

export interface ArpLayer extends Base {
	kind: 'arp';
	htype: number;
	ptype: number;
	hlen: number;
	plen: number;
	op: number;
	sha: string;
	spa: string;
	tha: string;
	tpa: string;
}

export interface Ipv4Layer extends Base {
	kind: 'ipv4';
	ihl: number;
	tos: number;
	totalLength: number;
	id: number;
	df: boolean;
	mf: boolean;
	/** Fragment offset in bytes. */
	fragOffset: number;
	ttl: number;
	proto: number;
	checksum: number;
	src: string;
	dst: string;
	/** Option types in order. */
	options: number[];
}

export interface Ipv6Layer extends Base {
	kind: 'ipv6';
	tclass: number;
	flow: number;
	payloadLength: number;
	hopLimit: number;
	/** The Next Header field of the fixed header. */
	nextHeader: number;
	src: string;
	dst: string;
	/** Extension headers in order (their protocol numbers: 0, 43, 44, 60, 51, 135, …). */
	ext: number[];
	/** The upper-layer protocol after the extension headers (59: none). */
	proto: number;
	fragment: { offset: number; more: boolean; id: number } | undefined;
	/** Jumbo Payload option value, when present. */
	jumbo: number | undefined;
}

export interface TcpLayer extends Base {
	kind: 'tcp';
	sport: number;
	dport: number;
	seq: number;
	ack: number;
	/** Header length in bytes. */
	hlen: number;
	/** The nine flag bits: FIN 0x01 … CWR 0x80, AE (formerly NS) 0x100. */
	flags: number;
	window: number;
	checksum: number;
	urgent: number;
	/** Option kinds in order (NOP and EOL included). */
	options: number[];
	mss: number | undefined;
	wscale: number | undefined;
	sackPermitted: boolean;
	tsval: number | undefined;
	tsecr: number | undefined;
	/** Bytes of payload the IP header announces (captured or not). */
	payloadLength: number;
}

export interface UdpLayer extends Base {
	kind: 'udp';
	sport: number;
	dport: number;
	length: number;
	checksum: number;
	payloadLength: number;
}

export interface IcmpLayer extends Base {
	kind: 'icmp';
	type: number;
	code: number;
	checksum: number;
	/** Echo, timestamp and information messages. */
	id: number | undefined;
	seq: number | undefined;
	/** Redirects: the gateway; fragmentation needed: the next-hop MTU. */
	gateway: string | undefined;
	mtu: number | undefined;
}

export interface Icmpv6Layer extends Base {
	kind: 'icmpv6';
	type: number;
	code: number;
	checksum: number;
	id: number | undefined;
	seq: number | undefined;
	mtu: number | undefined;
	/** Neighbour discovery: the target address (NS, NA, redirect). */
	target: string | undefined;
	/** Neighbour discovery: the source or target link-layer address option. */
	lladdr: string | undefined;
	/** Neighbour advertisement flags (R 0x80, S 0x40, O 0x20) and router advertisement fields. */
	ndFlags: number | undefined;
	/** Neighbour discovery option types in order. */
	options: number[];
	/** Router advertisement: the prefixes announced. */
	prefixes: string[] | undefined;
}

export interface DnsLayer extends Base {
	kind: 'dns';
	id: number;
	response: boolean;
	opcode: number;
	rcode: number;
	qdcount: number;
	ancount: number;
	nscount: number;
	arcount: number;
	/** The first question. */
	qname: string | undefined;
	qtype: number | undefined;
	/** DNS over TCP (with its two-byte length prefix). */
	tcp: boolean;
}

export interface VxlanLayer extends Base {
	kind: 'vxlan';
	flags: number;
	vni: number;
}

export interface GeneveLayer extends Base {
	kind: 'geneve';
	version: number;
	/** Options length in bytes. */
	optLength: number;
	oam: boolean;
	critical: boolean;
	protocol: number;
	vni: number;
}

export interface GreLayer extends Base {
	kind: 'gre';
	/** C 0x8000, R 0x4000, K 0x2000, S 0x1000 as in the header's first word. */
	flags: number;
	version: number;
	protocol: number;
	key: number | undefined;
	seq: number | undefined;
}

export interface WireguardLayer extends Base {
	kind: 'wireguard';
	/** 1 handshake initiation, 2 handshake response, 3 cookie reply, 4 transport data. */
	msgType: number;
	sender: number | undefined;
	receiver: number | undefined;
	/** Transport data: the nonce counter (decimal text: it is 64 bits). */
	counter: string | undefined;
	/** Transport data: bytes of encrypted payload. */
	dataLength: number | undefined;
}

export type Layer =
	| EthernetLayer | SllLayer | NullLayer | VlanLayer | ArpLayer | Ipv4Layer | Ipv6Layer | TcpLayer | UdpLayer
	| IcmpLayer | Icmpv6Layer | DnsLayer | VxlanLayer | GeneveLayer | GreLayer | WireguardLayer;

export type LayerKind = Layer['kind'];

export function newDecoded(frame: Frame): DecodedPacket {
	return {
		frame, layers: [], eth: undefined, sll: undefined, ip: undefined, transport: undefined, arp: undefined,
		truncated: undefined, notes: undefined, sequence: 0, cur: undefined, ipEnd: 0, depth: 0, quoted: 0,
	};
}
