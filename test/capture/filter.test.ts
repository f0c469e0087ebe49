import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as g from '../../bench/capture-gen.js';
import { decodeFrame } from '../../source/capture/decode/index.js';
import type { DecodedPacket } from '../../source/capture/decode/packet.js';
import { FilterError, matchFilter, parseFilter } from '../../source/capture/filter.js';

const A = '02:00:00:00:00:0a';
const B = '02:00:00:00:00:0b';

function decoded(bytes: Uint8Array): DecodedPacket {
	return decodeFrame({ n: 1, offset: 0, hasTs: true, sec: 0, nsec: 0, digits: 6, linkType: 1, iface: 0, ifName: undefined, caplen: bytes.length, len: bytes.length, buf: bytes, start: 0 });
}

const PACKETS: Record<string, DecodedPacket> = {
	ssh: decoded(g.eth(B, A, 0x0800, g.ipv4('10.2.67.113', '172.16.6.251', 6, g.tcp(51000, 22, new Uint8Array(0), { flags: 0x02 })))),
	dns: decoded(g.eth(B, A, 0x0800, g.ipv4('10.0.0.5', '10.96.0.10', 17, g.udp(40000, 53, g.dnsQuery(1, 'x.y', 1))))),
	ping: decoded(g.eth(B, A, 0x8100, g.vlan(100, 0x0800, g.ipv4('192.168.1.1', '192.168.1.2', 1, g.icmpEcho(8, 1, 1))))),
	ping6: decoded(g.eth(B, A, 0x86dd, g.ipv6('2001:db8::1', '2001:db8:0:0:0:0:0:2', 58, g.icmpv6(128, 0, Uint8Array.of(0, 1, 0, 1))))),
	web6: decoded(g.eth(B, A, 0x86dd, g.ipv6('2001:db8::1', 'fd00::80', 6, g.tcp(40000, 443, new Uint8Array(0))))),
	arp: decoded(g.eth('ff:ff:ff:ff:ff:ff', A, 0x0806, g.arp(1, A, '10.0.0.1', '00:00:00:00:00:00', '10.0.0.2'))),
	vxlan: decoded(g.eth(B, A, 0x0800, g.ipv4('192.168.0.1', '192.168.0.2', 17, g.udp(50000, 4789, g.vxlan(7, g.eth(A, B, 0x0800, g.ipv4('10.244.0.1', '10.244.1.1', 6, g.tcp(1, 80, new Uint8Array(0))))))))),
};

function matching(expr: string): string[] {
	const node = parseFilter(expr);
	return Object.entries(PACKETS).filter(([, d]) => matchFilter(node, d)).map(([name]) => name);
}

test('primitives', () => {
	const cases: [string, string[]][] = [
		['host 10.2.67.113', ['ssh']],
		['src host 10.2.67.113', ['ssh']],
		['dst host 10.2.67.113', []],
		['dst 172.16.6.251', ['ssh']],
		['host 2001:db8::2', ['ping6']],
		['host 2001:0db8:0:0:0:0:0:2', ['ping6']],
		['host 10.0.0.2', ['arp']],
		['net 10.0.0.0/8', ['ssh', 'dns']],
		['src net 192.168.0.0/16', ['ping', 'vxlan']],
		['dst net 10.96.0.0/12', ['dns']],
		['net 2001:db8::/32', ['ping6', 'web6']],
		['net fd00::/8', ['web6']],
		['port 22', ['ssh']],
		['src port 40000', ['dns', 'web6']],
		['dst port 53', ['dns']],
		['tcp dst port 53', []],
		['udp port 53', ['dns']],
		['portrange 400-500', ['web6']],
		['tcp', ['ssh', 'web6']],
		['udp', ['dns', 'vxlan']],
		['icmp', ['ping']],
		['icmp6', ['ping6']],
		['arp', ['arp']],
		['ip', ['ssh', 'dns', 'ping', 'vxlan']],
		['ip6', ['ping6', 'web6']],
		['vlan', ['ping']],
		['vlan 100', ['ping']],
		['vlan 101', []],
		['ether src 02:00:00:00:00:0a', Object.keys(PACKETS)],
		['ether host ff:ff:ff:ff:ff:ff', ['arp']],
		['ether dst 2:0:0:0:0:b', ['ssh', 'dns', 'ping', 'ping6', 'web6', 'vxlan']],
	];
	for (const [expr, expected] of cases) assert.deepEqual(matching(expr), expected, expr);
});

test('and, or, not, parentheses and precedence', () => {
	const cases: [string, string[]][] = [
		['tcp and port 22', ['ssh']],
		['tcp && not port 22', ['web6']],
		['udp or icmp', ['dns', 'ping', 'vxlan']],
		['udp || icmp6', ['dns', 'ping6', 'vxlan']],
		['not ip and not ip6', ['arp']],
		['! (tcp or udp)', ['ping', 'ping6', 'arp']],
		['icmp or tcp and port 22', ['ssh', 'ping']],
		['(icmp or tcp) and port 22', ['ssh']],
		['not not arp', ['arp']],
		['NET 10.0.0.0/8 AND Port 53', ['dns']],
	];
	for (const [expr, expected] of cases) assert.deepEqual(matching(expr), expected, expr);
});

test('parse errors name the column', () => {
	const cases: [string, string][] = [
		['', '--filter: column 1: expected a filter expression, found the end'],
		['host', '--filter: column 5: expected an IPv4 or IPv6 address, found the end'],
		['host 10.0.0.300', '--filter: column 6: expected an IPv4 or IPv6 address, found "10.0.0.300"'],
		['tcp and port http', '--filter: column 14: expected a port number (0-65535), found "http"'],
		['tcp and port 70000', '--filter: column 14: expected a port number (0-65535), found "70000"'],
		['(tcp or udp', '--filter: column 12: expected ")", found the end'],
		['tcp udp', '--filter: column 5: expected "and", "or" or the end of the expression, found "udp"'],
		['net 10.0.0.0/33', '--filter: column 5: expected a network such as 10.0.0.0/8, found "10.0.0.0/33"'],
		['vlan 5000', '--filter: column 6: expected a VLAN id (0-4095), found "5000"'],
		['tcp host 1.2.3.4', '--filter: column 5: expected "and", "or" or the end of the expression, found "host"'],
		['udp src 1.2.3.4', '--filter: column 9: expected "port" or "portrange", found "1.2.3.4"'],
		['frobnicate', '--filter: column 1: expected a primitive (host, net, port, src, dst, ether, vlan, tcp, udp, icmp, icmp6, arp, ip, ip6), "not" or "(", found "frobnicate"'],
		['port 22 and', '--filter: column 12: expected a primitive (host, net, port, src, dst, ether, vlan, tcp, udp, icmp, icmp6, arp, ip, ip6), "not" or "(", found the end'],
		['ether src nope', '--filter: column 11: expected a MAC address such as 02:00:00:00:00:01, found "nope"'],
	];
	for (const [expr, message] of cases) {
		assert.throws(() => parseFilter(expr), (error: unknown) => error instanceof FilterError && error.message === message, expr);
	}
});
