import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as g from '../../bench/capture-gen.js';
import { decodeFrame } from '../../source/capture/decode/index.js';
import type { Frame } from '../../source/capture/frame.js';
import { arrivalOf, linkInfoOf, toEnginePacket } from '../../source/capture/to-packet.js';
import { buildHost } from '../../source/host/model.js';
import { formatIp, parseIp } from '../../source/packet/address.js';
import { describePacket } from '../../source/packet/packet.js';
import { PacketSpecError } from '../../source/packet/spec.js';

const A = '02:00:00:00:00:0a';
const B = '02:00:00:00:00:0b';

function decoded(bytes: Uint8Array, linkType = 1, ifName?: string) {
	const frame: Frame = { n: 3, offset: 0, hasTs: true, sec: 0, nsec: 0, digits: 6, linkType, iface: 0, ifName, caplen: bytes.length, len: bytes.length, buf: bytes, start: 0 };
	return decodeFrame(frame);
}

test('a TCP SYN becomes the engine packet the trace would build from the same words', () => {
	const payload = Buffer.from('GET / HTTP/1.1\r\n');
	const d = decoded(g.eth(B, A, 0x0800, g.ipv4('10.2.67.113', '172.16.6.251', 6, g.tcp(51000, 22, payload, { flags: 0x02, options: g.TCP_SYN_OPTIONS }), { ttl: 61, tos: 0x10 })), 1, 'ens32');
	const p = toEnginePacket(d);
	assert.equal(describePacket(p), 'tcp 10.2.67.113:51000 > 172.16.6.251:22 [SYN]');
	assert.deepEqual(p.src, parseIp('10.2.67.113'));
	assert.equal(p.family, 4);
	assert.equal(p.proto, 6);
	assert.deepEqual(p.tcpOptions, [2, 4, 8, 3], 'option kinds without NOP and EOL');
	assert.deepEqual([p.srcMac, p.dstMac, p.pktType], [A, B, 'unicast']);
	assert.deepEqual([p.length, p.ttl, p.tos, p.fragment], [20 + 40 + payload.length, 61, 0x10, false]);
	assert.equal(Buffer.from(p.payload!).toString(), payload.toString());
	assert.equal(p.in, 'ens32');
	assert.deepEqual([p.ctState, p.ctStateGiven, p.local, p.mark], ['NEW', false, false, 0]);
	assert.deepEqual([p.ct.origSport, p.ct.origDport, p.ct.replSport, p.ct.replDport], [51000, 22, 22, 51000]);
	assert.equal(formatIp(p.ct.replSrc), '172.16.6.251');
});

test('ICMP, ICMPv6 and a later fragment', () => {
	const icmp = toEnginePacket(decoded(g.eth('ff:ff:ff:ff:ff:ff', A, 0x0800, g.ipv4('10.0.0.1', '10.0.0.255', 1, g.icmpEcho(8, 1, 2)))));
	assert.deepEqual([icmp.proto, icmp.icmpType, icmp.icmpCode, icmp.sport, icmp.pktType], [1, 8, 0, undefined, 'broadcast']);
	const six = toEnginePacket(decoded(g.eth('33:33:ff:00:00:02', A, 0x86dd, g.ipv6('fe80::1', 'ff02::1:ff00:2', 58, g.neighborSolicitation('fe80::2', A), [], 255))));
	assert.deepEqual([six.family, six.proto, six.icmpType, six.ttl, six.pktType, six.length], [6, 58, 135, 255, 'multicast', 40 + 32]);
	const frag = toEnginePacket(decoded(g.eth(B, A, 0x0800, g.ipv4('10.0.0.1', '10.0.0.2', 17, new Uint8Array(100), { fragOffset: 1480 }))));
	assert.deepEqual([frag.fragment, frag.sport, frag.proto], [true, undefined, 17]);
});

test('a tunnelled packet is the outer packet, as the host\'s hooks see it', () => {
	const p = toEnginePacket(decoded(g.eth(B, A, 0x0800, g.ipv4('192.168.0.1', '192.168.0.2', 17, g.udp(50000, 4789, g.vxlan(1, g.eth(A, B, 0x0800, g.ipv4('10.244.0.1', '10.244.1.1', 6, g.tcp(1, 80, new Uint8Array(0))))))))));
	assert.equal(describePacket(p), 'udp 192.168.0.1:50000 > 192.168.0.2:4789');
	const ipip = toEnginePacket(decoded(g.eth(B, A, 0x0800, g.ipv4('192.168.0.1', '192.168.0.2', 4, g.ipv4('10.244.0.1', '10.244.1.1', 6, g.tcp(1, 80, new Uint8Array(0)))))));
	assert.deepEqual([ipip.proto, ipip.sport], [4, undefined]);
});

test('the arrival interface: --in, then the pcapng interface, then SLL2 by the host\'s interface index', () => {
	const ip = g.ipv4('10.0.0.1', '10.0.0.2', 17, g.udp(1, 2, new Uint8Array(0)));
	const named = decoded(g.eth(B, A, 0x0800, ip), 1, 'eth0');
	assert.deepEqual(arrivalOf(named), { name: 'eth0', from: 'pcapng' });
	assert.deepEqual(arrivalOf(named, { in: 'ens32' }), { name: 'ens32', from: 'flag' });
	assert.equal(toEnginePacket(named, { in: 'ens32' }).in, 'ens32');
	const sll2 = decoded(g.sll2(4, 0, A, 0x0800, ip), 276);
	assert.deepEqual(arrivalOf(sll2, { ifNames: new Map([[4, 'cali123']]) }), { name: 'cali123', from: 'sll2' });
	assert.deepEqual(arrivalOf(sll2), { name: undefined, from: 'none' });
	// tcpdump -i any writes one pcapng interface named "any": each packet's SLL2 header names the real one.
	const anyIf = decoded(g.sll2(4, 0, A, 0x0800, ip), 276, 'any');
	assert.deepEqual(arrivalOf(anyIf, { ifNames: new Map([[4, 'cali123']]) }), { name: 'cali123', from: 'sll2' });
	const p = toEnginePacket(sll2, { ifNames: new Map([[4, 'cali123']]) });
	assert.deepEqual([p.in, p.srcMac, p.pktType], ['cali123', A, 'unicast']);
	// The names come from the host's links (ip -j -d addr), as trace --pcap, the replay and the TUI's `t` read them.
	const host = buildHost({ addresses: JSON.stringify([{ ifindex: 4, ifname: 'cali123', flags: ['UP'], address: A, addr_info: [] }]) }).model;
	assert.equal(toEnginePacket(sll2, linkInfoOf(host)).in, 'cali123');
	assert.equal(toEnginePacket(sll2, linkInfoOf(host, 'eth9')).in, 'eth9');
	assert.equal(toEnginePacket(decoded(ip, 101)).in, undefined);
});

test('a frame without an IP header is refused with its number', () => {
	assert.throws(() => toEnginePacket(decoded(g.eth('ff:ff:ff:ff:ff:ff', A, 0x0806, g.arp(1, A, '10.0.0.1', '00:00:00:00:00:00', '10.0.0.2')))),
		(error: unknown) => error instanceof PacketSpecError && error.message === 'packet 3 is an ARP packet: netsleuth traces IPv4 and IPv6 packets');
});
