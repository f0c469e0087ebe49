import * as g from '../../../bench/capture-gen.js';

const A = '02:00:00:00:00:0a';
const B = '02:00:00:00:00:0b';

/** Ethernet frames exercising every layer netsleuth decodes. */
export function layerFrames(): Uint8Array[] {
	const payload = Buffer.from('hello, netsleuth');
	const ip4 = (proto: number, body: Uint8Array, o?: g.Ip4Options) => g.eth(B, A, 0x0800, g.ipv4('10.1.2.3', '10.4.5.6', proto, body, o));
	const ip6 = (proto: number, body: Uint8Array, ext: [number, Uint8Array][] = []) => g.eth(B, A, 0x86dd, g.ipv6('2001:db8::1', 'fd00::a:b', proto, body, ext));
	return [
		// TCP with every option netsleuth reads, and all nine flags
		ip4(6, g.tcp(40000, 443, new Uint8Array(0), { flags: 0x02, options: g.TCP_SYN_OPTIONS, seq: 123456789 }), { df: true, ttl: 63, tos: 0x10, id: 0xbeef }),
		ip4(6, g.tcp(443, 40000, payload, { flags: 0x1ff, seq: 4000000000, ack: 123456790, window: 501 })),
		// IPv4 options (router alert) and fragments
		ip4(17, g.udp(1234, 5678, payload), { options: Uint8Array.of(0x94, 4, 0, 0) }),
		ip4(17, g.udp(1234, 5678, payload), { mf: true, id: 77 }),
		ip4(17, payload, { fragOffset: 1480, id: 77 }),
		// UDP, DNS over UDP and TCP
		ip4(17, g.udp(5353, 53, g.dnsQuery(0x1234, 'kubernetes.default.svc.cluster.local', 1))),
		ip4(17, g.udp(53, 5353, g.dnsResponse(0x1234, 'kubernetes.default.svc.cluster.local', '10.96.0.1'))),
		ip4(6, g.tcp(40001, 53, Buffer.concat([Uint8Array.of(0, 37), g.dnsQuery(0x4321, 'example.org', 28)]), { flags: 0x18 })),
		// ICMP echo and an error quoting the datagram that caused it
		ip4(1, g.icmpEcho(8, 0x1234, 7)),
		ip4(1, g.icmp(3, 3, Buffer.concat([new Uint8Array(4), g.ipv4('10.4.5.6', '10.1.2.3', 17, g.udp(5678, 1234, payload))]))),
		ip4(1, g.icmp(3, 4, Buffer.concat([Uint8Array.of(0, 0, 5, 0xdc), g.ipv4('10.4.5.6', '10.1.2.3', 6, g.tcp(80, 40000, new Uint8Array(0), { flags: 0x12, ack: 5 }))]))),
		// ARP, 802.1Q and QinQ
		g.eth('ff:ff:ff:ff:ff:ff', A, 0x0806, g.arp(1, A, '10.1.2.3', '00:00:00:00:00:00', '10.1.2.4')),
		g.eth(B, A, 0x8100, g.vlan(42, 0x0800, g.ipv4('10.1.2.3', '10.4.5.6', 17, g.udp(1, 2, payload)), 5)),
		g.eth(B, A, 0x88a8, g.vlan(100, 0x8100, g.vlan(200, 0x0806, g.arp(2, A, '10.1.2.3', B, '10.1.2.4')))),
		// IPv6: extension headers, fragments, ICMPv6 echo and neighbour discovery
		ip6(6, g.tcp(40000, 22, new Uint8Array(0), { flags: 0x02 }), [[0, g.ip6Options()], [60, g.ip6Options()]]),
		ip6(17, g.udp(1000, 2000, payload), [[44, g.ip6Fragment(0, true, 0xabcdef)]]),
		ip6(17, payload, [[44, g.ip6Fragment(1232, false, 0xabcdef)]]),
		ip6(58, g.icmpv6(128, 0, Uint8Array.of(0, 9, 0, 1))),
		g.eth('33:33:ff:00:00:02', A, 0x86dd, g.ipv6('fe80::1', 'ff02::1:ff00:2', 58, g.neighborSolicitation('fe80::2', A), [], 255)),
		g.eth(A, B, 0x86dd, g.ipv6('fe80::2', 'fe80::1', 58, g.neighborAdvertisement('fe80::2', B), [], 255)),
		g.eth('33:33:00:00:00:01', B, 0x86dd, g.ipv6('fe80::2', 'ff02::1', 58, g.routerAdvertisement('2001:db8:1::', 64, B), [], 255)),
		// Overlays: VXLAN (4789 and flannel's 8472), Geneve, GRE (IPv4 and Ethernet inside), IPIP, 6in4, WireGuard
		ip4(17, g.udp(50000, 4789, g.vxlan(4096, g.eth(A, B, 0x0800, g.ipv4('192.168.1.1', '192.168.1.2', 6, g.tcp(1, 2, payload, { flags: 0x18 })))))),
		ip4(17, g.udp(50000, 8472, g.vxlan(1, g.eth(A, B, 0x0800, g.ipv4('10.244.1.5', '10.244.2.7', 1, g.icmpEcho(0, 1, 2)))))),
		ip4(17, g.udp(50000, 6081, g.geneve(77, 0x6558, g.eth(A, B, 0x0800, g.ipv4('192.168.1.1', '192.168.1.2', 17, g.udp(3, 4, payload)))))),
		ip4(47, g.gre(0x0800, g.ipv4('172.16.0.1', '172.16.0.2', 1, g.icmpEcho(8, 5, 6)), 0x1234)),
		ip4(47, g.gre(0x6558, g.eth(A, B, 0x0806, g.arp(1, A, '172.16.0.1', '00:00:00:00:00:00', '172.16.0.2')))),
		ip4(4, g.ipv4('10.244.1.5', '10.244.2.7', 6, g.tcp(33000, 8080, payload, { flags: 0x18 }))),
		ip4(41, g.ipv6('2001:db8::5', '2001:db8::6', 17, g.udp(7, 8, payload))),
		ip4(17, g.udp(51820, 51820, g.wireguardInitiation(0x01020304))),
		ip4(17, g.udp(51820, 51820, g.wireguardData(0x0a0b0c0d, 42, 64))),
	];
}

export interface GeneratedCapture {
	name: string;
	bytes: Uint8Array;
}

function records(frames: Uint8Array[], start = 1_700_000_000): g.CaptureRecord[] {
	return frames.map((data, i) => ({ sec: start + i, nsec: (i * 123456789) % 1e9, data }));
}

/** Captures in every format, byte order and resolution, with every link type netsleuth decodes. */
export function generatedCaptures(): GeneratedCapture[] {
	const frames = layerFrames();
	const ipPacket4 = g.ipv4('10.0.0.1', '10.0.0.2', 6, g.tcp(1234, 80, new Uint8Array(0), { flags: 0x02 }));
	const ipPacket6 = g.ipv6('2001:db8::1', '2001:db8::2', 17, g.udp(1234, 53, g.dnsQuery(7, 'a.example', 1)));
	return [
		{ name: 'layers-le-usec.pcap', bytes: g.pcapFile(records(frames)) },
		{ name: 'layers-be-usec.pcap', bytes: g.pcapFile(records(frames), { le: false }) },
		{ name: 'layers-le-nsec.pcap', bytes: g.pcapFile(records(frames), { nano: true }) },
		{ name: 'layers-be-nsec.pcap', bytes: g.pcapFile(records(frames), { le: false, nano: true }) },
		{ name: 'sll.pcap', bytes: g.pcapFile(records([g.sll(0, A, 0x0800, ipPacket4), g.sll(4, B, 0x86dd, ipPacket6), g.sll(1, A, 0x0806, g.arp(1, A, '10.0.0.1', '00:00:00:00:00:00', '10.0.0.2'))]), { linkType: 113 }) },
		{ name: 'sll2.pcap', bytes: g.pcapFile(records([g.sll2(3, 0, A, 0x0800, ipPacket4), g.sll2(7, 4, B, 0x86dd, ipPacket6)]), { linkType: 276 }) },
		{ name: 'raw.pcap', bytes: g.pcapFile(records([ipPacket4, ipPacket6]), { linkType: 101 }) },
		{ name: 'ipv4.pcap', bytes: g.pcapFile(records([ipPacket4]), { linkType: 228 }) },
		{ name: 'ipv6.pcap', bytes: g.pcapFile(records([ipPacket6]), { linkType: 229 }) },
		{ name: 'null.pcap', bytes: g.pcapFile(records([g.nullLink(2, ipPacket4), g.nullLink(30, ipPacket6)]), { linkType: 0 }) },
		{
			name: 'sections.pcapng',
			bytes: g.pcapngFile([
				{
					le: true, extraBlocks: true,
					interfaces: [{ linkType: 1, name: 'eth0' }, { linkType: 101, name: 'tun0', tsresol: 9 }, { linkType: 113, name: 'any', tsresol: 3 }],
					records: [
						{ ...records(frames.slice(0, 3))[0]!, iface: 0 },
						{ sec: 1_700_000_100, nsec: 123456789, data: ipPacket4, iface: 1 },
						{ sec: 1_700_000_200, nsec: 5_000_000, data: g.sll(0, A, 0x0800, ipPacket4), iface: 2 },
					],
				},
				{
					le: false,
					interfaces: [{ linkType: 1, name: 'eth1', tsresol: 0x80 | 20 }, { linkType: 229 }],
					records: [
						{ sec: 1_700_000_300, nsec: 500_000_000, data: frames[8]!, iface: 0 },
						{ sec: 1_700_000_400, nsec: 0, data: ipPacket6, iface: 1 },
					],
				},
				{ le: true, interfaces: [{ linkType: 1, snaplen: 64 }], records: records(frames.slice(4, 6)), simple: true },
			]),
		},
	];
}
