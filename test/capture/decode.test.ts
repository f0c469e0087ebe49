import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as g from '../../bench/capture-gen.js';
import { decodeFrame } from '../../source/capture/decode/index.js';
import type { DecodedPacket, Layer, LayerKind } from '../../source/capture/decode/packet.js';
import type { Frame } from '../../source/capture/frame.js';
import { summarize } from '../../source/capture/summary.js';
import * as real from './support/frames.js';
import { layerFrames } from './support/generated.js';

/** A frame of the given bytes and link type, as a reader yields it (at an offset, to catch offset mistakes). */
function frame(bytes: Uint8Array | string, linkType = 1, len?: number): Frame {
	const data = typeof bytes === 'string' ? Buffer.from(bytes, 'hex') : bytes;
	const buf = new Uint8Array(data.length + 7);
	buf.set(data, 7);
	return { n: 1, offset: 0, hasTs: true, sec: 0, nsec: 0, digits: 6, linkType, iface: 0, ifName: undefined, caplen: data.length, len: len ?? data.length, buf, start: 7 };
}

function decode(bytes: Uint8Array | string, linkType = 1): DecodedPacket {
	return decodeFrame(frame(bytes, linkType));
}

function kinds(d: DecodedPacket): string[] {
	return d.layers.map((l) => l.kind);
}

type LayerOf<K> = Layer extends infer L ? (L extends { kind: infer Q } ? (K extends Q ? L : never) : never) : never;

function layer<K extends LayerKind>(d: DecodedPacket, kind: K, index = 0): LayerOf<K> {
	const found = d.layers.filter((l) => l.kind === kind);
	assert.ok(found[index], `no ${kind} layer #${index} in ${kinds(d).join(',')}`);
	return found[index] as LayerOf<K>;
}

const A = '02:00:00:00:00:0a';
const B = '02:00:00:00:00:0b';

describe('ethernet', () => {
	test('addresses and EtherType (tcpdump dns_tcp #1)', () => {
		const d = decode(real.tcpSyn);
		const eth = layer(d, 'eth');
		assert.equal(eth.dst, '00:11:22:33:44:66');
		assert.equal(eth.src, '00:11:22:33:44:55');
		assert.equal(eth.type, 0x0800);
		assert.equal(eth.offset, 0);
		assert.equal(d.eth, eth);
	});

	test('an 802.3 frame (length, not type) is not decoded further; a cut header says so', () => {
		const llc = decode(g.eth('01:80:c2:00:00:00', A, 38, new Uint8Array(38)));
		assert.deepEqual(kinds(llc), ['eth']);
		assert.match(summarize(llc), /802\.3 length 38/);
		const cut = decode(Buffer.from(real.tcpSyn, 'hex').subarray(0, 10));
		assert.deepEqual(kinds(cut), []);
		assert.deepEqual(cut.truncated, { layer: 'eth', offset: 0, need: 14, have: 10 });
	});
});

describe('vlan', () => {
	test('802.1ad outer tag and 802.1Q inner tag (tcpdump 802.1ad_QinQ #1)', () => {
		const d = decode(real.qinqArp);
		assert.deepEqual(kinds(d), ['eth', 'vlan', 'vlan', 'arp']);
		const outer = layer(d, 'vlan', 0);
		const inner = layer(d, 'vlan', 1);
		assert.deepEqual([outer.tpid, outer.vid, outer.pcp, outer.type], [0x88a8, 200, 0, 0x8100]);
		assert.deepEqual([inner.tpid, inner.vid, inner.type], [0x8100, 2001, 0x0806]);
		assert.equal(inner.offset, 18);
	});

	test('priority and DEI bits', () => {
		const d = decode(g.eth(B, A, 0x8100, Buffer.concat([Uint8Array.of(0xb0, 0x2a), Uint8Array.of(0x08, 0x00), g.ipv4('1.1.1.1', '2.2.2.2', 17, g.udp(1, 2, new Uint8Array(0)))])));
		const v = layer(d, 'vlan');
		assert.deepEqual([v.pcp, v.dei, v.vid], [5, true, 42]);
	});
});

describe('arp', () => {
	test('request inside QinQ (tcpdump 802.1ad_QinQ #1)', () => {
		const arp = layer(decode(real.qinqArp), 'arp');
		assert.deepEqual([arp.op, arp.sha, arp.spa, arp.tha, arp.tpa], [1, '00:20:d2:5a:fb:3f', '172.21.79.97', '00:00:00:00:00:00', '172.21.79.100']);
		assert.equal(summarize(decode(real.qinqArp)), 'vlan 200 vlan 2001 who-has 172.21.79.100 tell 172.21.79.97');
	});

	test('addresses longer than the bytes: stops and says where', () => {
		const d = decode(g.eth(B, A, 0x0806, Uint8Array.of(0, 1, 8, 0, 20, 4, 0, 1, 1, 2, 3)));
		assert.deepEqual(kinds(d), ['eth']);
		assert.deepEqual(d.truncated, { layer: 'arp', offset: 14, need: 56, have: 11 });
	});
});

describe('ipv4', () => {
	test('header fields and the router alert option (tcpdump igmpv3-queries #1)', () => {
		const d = decode(real.ipv4RouterAlert);
		const ip = layer(d, 'ipv4');
		assert.deepEqual([ip.ihl, ip.tos, ip.ttl, ip.proto, ip.src, ip.dst], [24, 0xc0, 1, 2, '192.2.0.2', '224.0.0.1']);
		assert.deepEqual(ip.options, [0x94]);
		assert.equal(d.ip, ip);
	});

	test('a first fragment (tcpdump esp_truncated #1) and a later fragment, which carries no upper header', () => {
		const first = layer(decode(real.ipv4Fragment), 'ipv4');
		assert.deepEqual([first.id, first.mf, first.fragOffset, first.proto], [0x1901, true, 0, 17]);
		const later = decode(g.eth(B, A, 0x0800, g.ipv4('10.0.0.1', '10.0.0.2', 6, new Uint8Array(40), { fragOffset: 1480, id: 9 })));
		assert.deepEqual(kinds(later), ['eth', 'ipv4']);
		assert.equal(layer(later, 'ipv4').fragOffset, 1480);
		assert.equal(later.transport, undefined);
		assert.match(summarize(later), /fragment id 9 offset 1480 tcp/);
	});

	test('Ethernet padding is not payload; total length 0 (TSO) takes the captured length', () => {
		const padded = decode(Buffer.concat([g.eth(B, A, 0x0800, g.ipv4('10.0.0.1', '10.0.0.2', 17, g.udp(1, 2, new Uint8Array(0)))), new Uint8Array(18)]));
		assert.equal(layer(padded, 'udp').payloadLength, 0);
		assert.equal(padded.truncated, undefined);
		const tso = decode(g.eth(B, A, 0x0800, g.ipv4('10.0.0.1', '10.0.0.2', 6, g.tcp(1, 2, new Uint8Array(3000)), { totalLength: 0 })));
		assert.equal(layer(tso, 'ipv4').totalLength, 3040);
		assert.equal(layer(tso, 'tcp').payloadLength, 3000);
	});

	test('bad version, bad header length, cut header', () => {
		const v6 = Buffer.from(g.ipv4('10.0.0.1', '10.0.0.2', 17, new Uint8Array(8)));
		v6[0] = 0x65;
		assert.deepEqual(decode(g.eth(B, A, 0x0800, v6)).notes, ['ipv4: the version field says 6']);
		const ihl = Buffer.from(v6);
		ihl[0] = 0x44;
		assert.deepEqual(decode(g.eth(B, A, 0x0800, ihl)).notes, ['ipv4: header length 16 is less than 20']);
		const cut = decode(Buffer.from(real.tcpSyn, 'hex').subarray(0, 30));
		assert.deepEqual(cut.truncated, { layer: 'ipv4', offset: 14, need: 20, have: 16 });
		assert.match(summarize(cut), /truncated in the ipv4 header at byte 14: 20 bytes needed, 16 captured/);
	});
});

describe('ipv6', () => {
	test('routing extension header, then ICMPv6 (tcpdump ipv6-routing-header #1)', () => {
		const d = decode(real.ipv6Routing);
		const ip = layer(d, 'ipv6');
		assert.deepEqual([ip.src, ip.dst, ip.nextHeader, ip.proto, ip.hopLimit], ['2200::244:212:3fff:feae:22f7', '2200::240:2:0:0:4', 43, 58, 4]);
		assert.deepEqual(ip.ext, [43]);
		assert.deepEqual(kinds(d), ['eth', 'ipv6', 'icmpv6']);
		assert.equal(layer(d, 'icmpv6').type, 128);
	});

	test('hop-by-hop and destination options, fragments (first and later)', () => {
		const opts = decode(g.eth(B, A, 0x86dd, g.ipv6('2001:db8::1', '2001:db8::2', 6, g.tcp(1, 2, new Uint8Array(0)), [[0, g.ip6Options()], [60, g.ip6Options()]])));
		assert.deepEqual(layer(opts, 'ipv6').ext, [0, 60]);
		assert.equal(layer(opts, 'tcp').dport, 2);
		const first = decode(g.eth(B, A, 0x86dd, g.ipv6('2001:db8::1', '2001:db8::2', 17, g.udp(5, 6, new Uint8Array(100)), [[44, g.ip6Fragment(0, true, 77)]])));
		assert.deepEqual(layer(first, 'ipv6').fragment, { offset: 0, more: true, id: 77 });
		assert.equal(layer(first, 'udp').sport, 5);
		const later = decode(g.eth(B, A, 0x86dd, g.ipv6('2001:db8::1', '2001:db8::2', 17, new Uint8Array(100), [[44, g.ip6Fragment(1232, false, 77)]])));
		assert.deepEqual(kinds(later), ['eth', 'ipv6']);
		assert.equal(layer(later, 'ipv6').proto, 17);
	});

	test('an extension header longer than the bytes', () => {
		const bytes = Buffer.from(g.eth(B, A, 0x86dd, g.ipv6('::1', '::2', 59, new Uint8Array(0), [[0, g.ip6Options()]])));
		bytes[14 + 40 + 1] = 4; // hop-by-hop claims 40 bytes
		const d = decode(bytes);
		assert.equal(d.truncated?.layer, 'ipv6');
		assert.equal(d.truncated?.offset, 54);
		assert.equal(d.truncated?.need, 40);
	});

	test('address text is RFC 5952', () => {
		const d = decode(g.eth(B, A, 0x86dd, g.ipv6('2001:db8:0:0:1:0:0:1', '::ffff:a00:1', 59, new Uint8Array(0))));
		assert.equal(layer(d, 'ipv6').src, '2001:db8::1:0:0:1');
		assert.equal(layer(d, 'ipv6').dst, '::ffff:10.0.0.1');
	});
});

describe('tcp', () => {
	test('SYN with MSS, SACK permitted, timestamps and window scale (tcpdump dns_tcp #1)', () => {
		const t = layer(decode(real.tcpSyn), 'tcp');
		assert.deepEqual([t.sport, t.dport, t.seq, t.ack, t.hlen, t.flags, t.window], [33779, 53, 603899916, 0, 40, 0x02, 64240]);
		assert.deepEqual(t.options, [2, 4, 8, 1, 3]);
		assert.deepEqual([t.mss, t.sackPermitted, t.tsval, t.tsecr, t.wscale], [1460, true, 2044906138, 0, 7]);
	});

	test('all eight flags (tcpdump tcp_eight_lowest_weight_flags_set) and AE', () => {
		const d = decode(real.tcpAllFlags);
		assert.equal(layer(d, 'tcp').flags, 0xff);
		assert.match(summarize(d), /\[SYN,FIN,RST,PSH,ACK,URG,ECE,CWR\]/);
		assert.equal(layer(decode(g.eth(B, A, 0x0800, g.ipv4('1.1.1.1', '2.2.2.2', 6, g.tcp(1, 2, new Uint8Array(0), { flags: 0x112 })))), 'tcp').flags, 0x112);
	});

	test('a cut header says where it stops (tcpdump tcp_header_heapoverflow)', () => {
		const d = decode(real.tcpHeaderCut);
		assert.deepEqual(kinds(d), ['eth', 'ipv4']);
		assert.deepEqual(d.truncated, { layer: 'tcp', offset: 34, need: 20, have: 12 });
	});

	test('a header length below 20 keeps the fixed fields and notes it; a bad option length stops the options', () => {
		const bytes = Buffer.from(g.eth(B, A, 0x0800, g.ipv4('1.1.1.1', '2.2.2.2', 6, g.tcp(1, 2, new Uint8Array(8)))));
		bytes[14 + 20 + 12] = 0x30;
		const d = decode(bytes);
		assert.equal(layer(d, 'tcp').sport, 1);
		assert.deepEqual(d.notes, ['tcp: header length 12 is less than 20']);
		const opt = decode(g.eth(B, A, 0x0800, g.ipv4('1.1.1.1', '2.2.2.2', 6, g.tcp(1, 2, new Uint8Array(0), { options: Uint8Array.of(1, 2, 9, 0) }))));
		assert.deepEqual(layer(opt, 'tcp').options, [1, 2]);
		assert.deepEqual(opt.notes, ['tcp: option 2 has a bad length 9']);
	});
});

describe('udp', () => {
	test('ports and length (tcpdump dns_udp #1)', () => {
		const d = decode(real.dnsQuery);
		const u = layer(d, 'udp');
		assert.deepEqual([u.sport, u.dport, u.length, u.payloadLength], [43966, 53, 64, 56]);
		assert.equal(d.transport, u);
	});

	test('a length the IP payload cannot hold is noted, and nothing inside is decoded', () => {
		const bytes = Buffer.from(g.eth(B, A, 0x0800, g.ipv4('1.1.1.1', '2.2.2.2', 17, g.udp(1000, 53, g.dnsQuery(1, 'a.b', 1)))));
		bytes.writeUInt16BE(400, 14 + 20 + 4);
		const d = decode(bytes);
		assert.deepEqual(kinds(d), ['eth', 'ipv4', 'udp']);
		assert.deepEqual(d.notes, ['udp: length 400 is more than the IP payload 29']);
	});
});

describe('icmp', () => {
	test('echo request (tcpdump dhcp-rfc4388 #2)', () => {
		const d = decode(real.icmpEcho);
		const i = layer(d, 'icmp');
		assert.deepEqual([i.type, i.code, i.id, i.seq], [8, 0, 16420, 0]);
		assert.equal(summarize(d), 'icmp echo request id 16420 seq 0');
	});

	test('host unreachable quoting the echo that caused it (tcpdump dhcp-rfc4388 #6)', () => {
		const d = decode(real.icmpUnreachable);
		assert.deepEqual(kinds(d), ['eth', 'ipv4', 'icmp', 'ipv4', 'icmp']);
		assert.equal(d.transport, layer(d, 'icmp', 0));
		assert.equal(layer(d, 'ipv4', 1).dst, '10.30.4.4');
		assert.equal(d.truncated, undefined, 'a quoted datagram is short by design: not truncation');
		assert.equal(summarize(d), 'icmp host unreachable for 10.40.2.3 > 10.30.4.4 icmp echo request id 16420 seq 0');
	});
});

describe('icmpv6', () => {
	test('router advertisement with its link-layer address and prefix (tcpdump icmpv6 #1)', () => {
		const i = layer(decode(real.routerAdvertisement), 'icmpv6');
		assert.equal(i.type, 134);
		assert.equal(i.lladdr, 'b0:99:28:c8:d6:6c');
		assert.deepEqual(i.prefixes, ['2222:3333:4444:5555:6600::/72']);
		assert.deepEqual(i.options, [3, 25, 31, 5, 1, 7, 8], 'prefix, RDNSS, DNSSL, MTU, source link-layer address, advertisement interval, home agent');
	});

	test('neighbour solicitation for duplicate address detection (tcpdump ipv6-bad-version #1)', () => {
		const d = decode(real.neighborSolicitation);
		const i = layer(d, 'icmpv6');
		assert.deepEqual([i.type, i.target, i.lladdr], [135, 'fe80::20c:29ff:fe76:6c14', undefined]);
		assert.match(summarize(d), /neighbor solicitation who-has fe80::20c:29ff:fe76:6c14/);
	});

	test('neighbour advertisement with a target link-layer address; an option of length 0 stops the options', () => {
		const na = layer(decode(g.eth(A, B, 0x86dd, g.ipv6('fe80::2', 'fe80::1', 58, g.neighborAdvertisement('fe80::2', B)))), 'icmpv6');
		assert.deepEqual([na.type, na.target, na.lladdr, na.ndFlags], [136, 'fe80::2', B, 0x60]);
		const bad = Buffer.from(g.neighborSolicitation('fe80::2', A));
		bad[25] = 0;
		assert.deepEqual(decode(g.eth(A, B, 0x86dd, g.ipv6('fe80::1', 'ff02::1', 58, bad))).notes, ['icmpv6: option 1 has length 0']);
	});
});

describe('dns', () => {
	test('query and response over UDP (tcpdump dns_udp #1, #2)', () => {
		const q = decode(real.dnsQuery);
		assert.deepEqual(kinds(q), ['eth', 'ipv4', 'udp', 'dns']);
		const dq = layer(q, 'dns');
		assert.deepEqual([dq.id, dq.response, dq.qname, dq.qtype, dq.qdcount, dq.arcount], [0x5934, false, 'www.tcpdump.org', 1, 1, 1]);
		const dr = layer(decode(real.dnsResponse), 'dns');
		assert.deepEqual([dr.response, dr.rcode, dr.ancount], [true, 0, 2]);
		assert.equal(summarize(decode(real.dnsResponse)), '53 > 43966 len 224 dns response 0x5934 A www.tcpdump.org NOERROR 2 answers');
	});

	test('over TCP with its length prefix (tcpdump dns_tcp #4)', () => {
		const d = layer(decode(real.dnsOverTcp), 'dns');
		assert.deepEqual([d.tcp, d.id, d.qname], [true, 0x4319, 'www.tcpdump.org']);
	});

	test('compression loops and cut names are noted, not followed', () => {
		const loop = Buffer.concat([Uint8Array.of(0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0), Uint8Array.of(0xc0, 12)]);
		assert.deepEqual(decode(g.eth(B, A, 0x0800, g.ipv4('1.1.1.1', '2.2.2.2', 17, g.udp(1, 53, loop)))).notes, ['dns: a compression pointer loops or points forward']);
		const cut = Buffer.concat([Uint8Array.of(0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0), Uint8Array.of(10, 0x61)]);
		assert.equal(decode(g.eth(B, A, 0x0800, g.ipv4('1.1.1.1', '2.2.2.2', 17, g.udp(1, 53, cut)))).truncated?.layer, 'dns');
	});
});

describe('vxlan', () => {
	test('VNI and the inner Ethernet frame (tcpdump vxlan #1)', () => {
		const d = decode(real.vxlanIcmp);
		assert.deepEqual(kinds(d), ['eth', 'ipv4', 'udp', 'vxlan', 'eth', 'ipv4', 'icmp']);
		assert.equal(layer(d, 'vxlan').vni, 100);
		assert.equal(d.ip, layer(d, 'ipv4', 0), 'the outer header is what the host sees');
		assert.equal(d.transport?.kind, 'udp');
		assert.equal(layer(d, 'ipv4', 1).src, '192.168.203.3');
	});

	test('flannel\'s port 8472', () => {
		const d = decode(g.eth(B, A, 0x0800, g.ipv4('10.0.0.1', '10.0.0.2', 17, g.udp(40000, 8472, g.vxlan(1, g.eth(A, B, 0x0806, g.arp(1, A, '10.244.0.1', '00:00:00:00:00:00', '10.244.1.1')))))));
		assert.deepEqual(kinds(d), ['eth', 'ipv4', 'udp', 'vxlan', 'eth', 'arp']);
	});
});

describe('geneve', () => {
	test('VNI, protocol and the inner frame (tcpdump geneve #3)', () => {
		const d = decode(real.geneveTcp);
		const gv = layer(d, 'geneve');
		assert.deepEqual([gv.vni, gv.protocol, gv.optLength, gv.version], [11, 0x6558, 0, 0]);
		assert.deepEqual(kinds(d), ['eth', 'ipv4', 'udp', 'geneve', 'eth', 'ipv4', 'tcp']);
		assert.equal(layer(d, 'tcp', 0).dport, 22);
	});

	test('options are skipped by their length', () => {
		const d = decode(g.eth(B, A, 0x0800, g.ipv4('1.1.1.1', '2.2.2.2', 17, g.udp(1, 6081, g.geneve(5, 0x0800, g.ipv4('3.3.3.3', '4.4.4.4', 17, g.udp(7, 8, new Uint8Array(0))), new Uint8Array(8))))));
		assert.equal(layer(d, 'geneve').optLength, 8);
		assert.equal(layer(d, 'ipv4', 1).src, '3.3.3.3');
	});
});

describe('gre', () => {
	test('key and protocol (tcpdump various_gre #11: Cisco MetaData inside, not decoded)', () => {
		const d = decode(real.greKey);
		const gr = layer(d, 'gre');
		assert.deepEqual([gr.key, gr.protocol, gr.version], [0x28, 0x8909, 0]);
		assert.deepEqual(kinds(d), ['eth', 'vlan', 'ipv4', 'gre']);
	});

	test('IPv4 and transparent Ethernet inside', () => {
		const ip = decode(g.eth(B, A, 0x0800, g.ipv4('1.1.1.1', '2.2.2.2', 47, g.gre(0x0800, g.ipv4('3.3.3.3', '4.4.4.4', 1, g.icmpEcho(8, 1, 1)), 7))));
		assert.deepEqual(kinds(ip), ['eth', 'ipv4', 'gre', 'ipv4', 'icmp']);
		assert.equal(layer(ip, 'gre').key, 7);
		const teb = decode(g.eth(B, A, 0x0800, g.ipv4('1.1.1.1', '2.2.2.2', 47, g.gre(0x6558, g.eth(A, B, 0x0806, g.arp(1, A, '5.5.5.5', '00:00:00:00:00:00', '6.6.6.6'))))));
		assert.deepEqual(kinds(teb), ['eth', 'ipv4', 'gre', 'eth', 'arp']);
	});
});

describe('ipip', () => {
	test('IPv4 in IPv4 (Calico IPIP) and IPv6 in IPv4', () => {
		const d = decode(g.eth(B, A, 0x0800, g.ipv4('192.168.0.1', '192.168.0.2', 4, g.ipv4('10.244.1.5', '10.244.2.7', 6, g.tcp(33000, 8080, new Uint8Array(0), { flags: 0x02 })))));
		assert.deepEqual(kinds(d), ['eth', 'ipv4', 'ipv4', 'tcp']);
		assert.equal(d.ip?.src, '192.168.0.1');
		assert.equal(d.transport, undefined, 'the outer packet is IP protocol 4: its transport is the inner packet');
		assert.match(summarize(d), /^ipip 10\.244\.1\.5 > 10\.244\.2\.7 33000 > 8080 \[SYN\]/);
		const six = decode(g.eth(B, A, 0x0800, g.ipv4('192.168.0.1', '192.168.0.2', 41, g.ipv6('2001:db8::1', '2001:db8::2', 17, g.udp(1, 2, new Uint8Array(0))))));
		assert.deepEqual(kinds(six), ['eth', 'ipv4', 'ipv6', 'udp']);
	});

	test('nesting deeper than 8 levels stops with a note', () => {
		let packet: Uint8Array = g.udp(1, 2, new Uint8Array(0));
		packet = g.ipv4('10.0.0.1', '10.0.0.2', 17, packet);
		for (let i = 0; i < 12; i++) packet = g.ipv4('10.0.0.1', '10.0.0.2', 4, packet);
		const d = decode(g.eth(B, A, 0x0800, packet));
		assert.equal(d.layers.filter((l) => l.kind === 'ipv4').length, 9);
		assert.deepEqual(d.notes, ['encapsulation deeper than 8 levels: not decoded further']);
	});
});

describe('wireguard', () => {
	test('handshake initiation and transport data; other UDP 51820 payloads are not WireGuard', () => {
		const init = decode(g.eth(B, A, 0x0800, g.ipv4('1.1.1.1', '2.2.2.2', 17, g.udp(40000, 51820, g.wireguardInitiation(0x01020304)))));
		const w = layer(init, 'wireguard');
		assert.deepEqual([w.msgType, w.sender], [1, 0x01020304]);
		const data = layer(decode(g.eth(B, A, 0x0800, g.ipv4('1.1.1.1', '2.2.2.2', 17, g.udp(51820, 40000, g.wireguardData(7, 42, 64))))), 'wireguard');
		assert.deepEqual([data.msgType, data.receiver, data.counter, data.dataLength], [4, 7, '42', 64]);
		const other = decode(g.eth(B, A, 0x0800, g.ipv4('1.1.1.1', '2.2.2.2', 17, g.udp(51820, 40000, Buffer.from('hello world')))));
		assert.deepEqual(kinds(other), ['eth', 'ipv4', 'udp']);
	});
});

describe('link types', () => {
	test('Linux cooked v1 (tcpdump tcp-handshake-nano #1)', () => {
		const d = decode(real.sllSyn, 113);
		const s = layer(d, 'sll');
		assert.deepEqual([s.pktType, s.hatype, s.protocol, s.addr], [4, 0x0200, 0x0800, '']);
		assert.equal(d.sll, s);
		assert.equal(layer(d, 'tcp').dport, 80);
	});

	test('Linux cooked v2 carries the interface index', () => {
		const d = decode(g.sll2(3, 0, A, 0x0800, g.ipv4('10.0.0.1', '10.0.0.2', 17, g.udp(1, 2, new Uint8Array(0)))), 276);
		const s = layer(d, 'sll2');
		assert.deepEqual([s.ifindex, s.pktType, s.addr, s.protocol], [3, 0, A, 0x0800]);
	});

	test('BSD loopback with AF_INET6 = 30 (gopacket test_loopback #1)', () => {
		const d = decode(real.loopbackIpv6, 0);
		assert.deepEqual(kinds(d), ['null', 'ipv6', 'tcp']);
		assert.equal(layer(d, 'null').family, 30);
		assert.equal(layer(d, 'tcp').dport, 8080);
	});

	test('raw IP by version (tcpdump LINKTYPE_RAW_ipv6), LINKTYPE_IPV4 holding IPv6 noted, unknown link types noted', () => {
		assert.deepEqual(kinds(decode(real.rawIpv6Dns, 101)), ['ipv6', 'udp', 'dns']);
		const mismatch = decode(real.rawIpv6Dns, 228);
		assert.deepEqual(kinds(mismatch), ['ipv6', 'udp', 'dns']);
		assert.deepEqual(mismatch.notes, ['the link type says IPv4, the packet is IPv6']);
		assert.deepEqual(decode(real.rawIpv6Dns, 160).notes, ['linktype 160 frames are not decoded']);
	});
});

describe('summary', () => {
	// The one-line summary of every layer kind, in the order generated.ts's layerFrames() builds them
	// (pcap --json writes it piece by piece into its buffer: this pins the text it must make).
	test('of every layer kind', () => {
		const expected = [
			'40000 > 443 [SYN] seq 123456789 win 64240 len 0 mss 1460 wscale 7 sackOK',
			'443 > 40000 [SYN,FIN,RST,PSH,ACK,URG,ECE,CWR,AE] seq 4000000000 ack 123456790 win 501 len 16',
			'1234 > 5678 len 16',
			'fragment id 77 offset 0 more 1234 > 5678 len 16',
			'fragment id 77 offset 1480 udp',
			'5353 > 53 len 54 dns query 0x1234 A kubernetes.default.svc.cluster.local',
			'53 > 5353 len 70 dns response 0x1234 A kubernetes.default.svc.cluster.local NOERROR 1 answer',
			'40001 > 53 [PSH,ACK] seq 1000 ack 0 win 64240 len 31 dns query 0x4321 AAAA example.org',
			'icmp echo request id 4660 seq 7',
			'icmp port unreachable for 10.4.5.6 > 10.1.2.3 5678 > 1234 len 16',
			'icmp fragmentation needed mtu 1500 for 10.4.5.6 > 10.1.2.3 80 > 40000 [SYN,ACK] seq 1000 ack 5 win 64240 len 0',
			'who-has 10.1.2.4 tell 10.1.2.3',
			'vlan 42 1 > 2 len 16',
			'vlan 100 vlan 200 10.1.2.3 is-at 02:00:00:00:00:0a',
			'40000 > 22 [SYN] seq 1000 win 64240 len 0',
			'fragment id 11259375 offset 0 more 1000 > 2000 len 16',
			'fragment id 11259375 offset 1232 udp',
			'icmp6 echo request id 9 seq 1',
			'icmp6 neighbor solicitation who-has fe80::2 lladdr 02:00:00:00:00:0a',
			'icmp6 neighbor advertisement tgt fe80::2 lladdr 02:00:00:00:00:0b',
			'icmp6 router advertisement lladdr 02:00:00:00:00:0b prefix 2001:db8:1::/64',
			'50000 > 4789 len 78 vxlan vni 4096: 192.168.1.1 > 192.168.1.2 1 > 2 [PSH,ACK] seq 1000 ack 0 win 64240 len 16',
			'50000 > 8472 len 66 vxlan vni 1: 10.244.1.5 > 10.244.2.7 icmp echo reply id 1 seq 2',
			'50000 > 6081 len 66 geneve vni 77: 192.168.1.1 > 192.168.1.2 3 > 4 len 16',
			'gre key 4660: 172.16.0.1 > 172.16.0.2 icmp echo request id 5 seq 6',
			'gre: who-has 172.16.0.2 tell 172.16.0.1',
			'ipip 10.244.1.5 > 10.244.2.7 33000 > 8080 [PSH,ACK] seq 1000 ack 0 win 64240 len 16',
			'ipip 2001:db8::5 > 2001:db8::6 7 > 8 len 16',
			'51820 > 51820 len 148 wireguard handshake initiation sender 16909060',
			'51820 > 51820 len 80 wireguard transport data receiver 168496141 counter 42 len 64',
		];
		const frames = layerFrames();
		assert.equal(frames.length, expected.length);
		frames.forEach((bytes, i) => assert.equal(summarize(decode(bytes)), expected[i], `frame ${i + 1}`));
	});

	test('of cooked and loopback links, undecoded EtherTypes, unknown ICMP types, redirects and a cut header', () => {
		const payload = Buffer.from('hello, netsleuth');
		const udp4 = g.ipv4('10.1.2.3', '10.4.5.6', 17, g.udp(1, 2, payload));
		const cases: [number, Uint8Array, string][] = [
			[113, g.sll(0, A, 0x0800, udp4), 'in 1 > 2 len 16'],
			[276, g.sll2(3, 4, A, 0x86dd, g.ipv6('2001:db8::1', 'fd00::a:b', 17, g.udp(1, 2, payload))), 'if 3 out 1 > 2 len 16'],
			[113, g.sll(3, A, 0x0004, payload), 'protocol 0x0004'],
			[0, g.nullLink(2, g.ipv4('127.0.0.1', '127.0.0.1', 1, g.icmpEcho(8, 1, 1))), 'icmp echo request id 1 seq 1'],
			[1, g.eth(B, A, 0x88cc, payload), 'ethertype lldp'],
			[1, g.eth(B, A, 0x8100, g.vlan(7, 0x88cc, payload)), 'vlan 7 ethertype lldp'],
			[1, g.eth(B, A, 0x0800, g.ipv4('10.1.2.3', '10.4.5.6', 1, g.icmp(42, 1, new Uint8Array(4)))), 'icmp type 42 code 1'],
			[1, g.eth(B, A, 0x0800, g.ipv4('10.1.2.3', '10.4.5.6', 1, g.icmp(5, 1, Buffer.concat([Uint8Array.of(10, 0, 0, 1), udp4])))), 'icmp redirect code 1 to 10.0.0.1 for 10.1.2.3 > 10.4.5.6 1 > 2 len 16'],
			[1, g.eth(B, A, 0x0800, g.ipv4('10.1.2.3', '10.4.5.6', 6, g.tcp(1, 2, payload))).subarray(0, 44), 'tcp [truncated in the tcp header at byte 34: 20 bytes needed, 10 captured]'],
		];
		for (const [linkType, bytes, summary] of cases) assert.equal(summarize(decode(bytes, linkType)), summary);
	});
});

test('no frame of random bytes makes a decoder throw or read past the frame', () => {
	let seed = 12345;
	const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
	const bases = Object.values(real).map((hex) => Buffer.from(hex, 'hex'));
	for (let i = 0; i < 4000; i++) {
		const base = Buffer.from(bases[i % bases.length]!);
		for (let k = 0; k < 1 + (i % 6); k++) base[random() % base.length] = random();
		const cut = base.subarray(0, random() % (base.length + 1));
		for (const linkType of [1, 113, 276, 0, 101]) {
			const d = decodeFrame(frame(cut, linkType));
			for (const l of d.layers) assert.ok(l.offset >= 0 && l.offset <= cut.length);
			summarize(d);
		}
	}
});
