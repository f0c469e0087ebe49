import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compareWithKernel, type DifferentialCase } from './support/differential.js';
import { requireKernelOrSkip } from './support/netns.js';

const filter = (...lines: string[]) => `*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n${lines.join('\n')}\nCOMMIT\n`;
const node0 = { client: { addrs: ['172.16.6.24/24'] }, host: { clientIf: { addrs: ['172.16.6.251/24'] } } };

/** The handout's four iptables exercises, each with a packet it stops and one it lets through. */
const HANDOUT: DifferentialCase[] = [
	{ name: 'reject-ip: ssh from 10.2.67.113 is refused', rules: filter('-A INPUT -s 10.2.67.113 -j REJECT'), packet: { family: 4, proto: 'tcp', src: '10.2.67.113', dst: '10.2.67.1', sport: 51000, dport: 22 } },
	{ name: 'reject-ip: another address still gets in', rules: filter('-A INPUT -s 10.2.67.113 -j REJECT'), topology: { client: { addrs: ['10.2.67.114/24'] } }, packet: { family: 4, proto: 'tcp', src: '10.2.67.114', dst: '10.2.67.1', sport: 51000, dport: 22 } },
	{ name: 'reject-mac: frames from 02:00:0d:4c:00:03 are refused', rules: filter('-A INPUT -m mac --mac-source 02:00:0d:4c:00:03 -j REJECT'), topology: { ...node0, client: { ...node0.client, mac: '02:00:0d:4c:00:03' } }, packet: { family: 4, proto: 'icmp', src: '172.16.6.24', dst: '172.16.6.251' } },
	{ name: 'reject-mac: another MAC gets in', rules: filter('-A INPUT -m mac --mac-source 02:00:0d:4c:00:03 -j REJECT'), topology: node0, packet: { family: 4, proto: 'tcp', src: '172.16.6.24', dst: '172.16.6.251', dport: 22 } },
	{ name: 'http-only: tcp/80 is accepted', rules: '*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 80 -j ACCEPT\nCOMMIT\n', topology: node0, packet: { family: 4, proto: 'tcp', src: '172.16.6.24', dst: '172.16.6.251', dport: 80 } },
	{ name: 'http-only: ssh falls to the DROP policy', rules: '*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 80 -j ACCEPT\nCOMMIT\n', topology: node0, packet: { family: 4, proto: 'tcp', src: '172.16.6.24', dst: '172.16.6.251', dport: 22 } },
	{ name: 'http-only: udp/80 is not http', rules: '*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 80 -j ACCEPT\nCOMMIT\n', topology: node0, packet: { family: 4, proto: 'udp', src: '172.16.6.24', dst: '172.16.6.251', dport: 80 } },
	{ name: 'no-ping: echo requests from 172.16.6.24 are refused', rules: filter('-A INPUT -p icmp --icmp-type 8 -s 172.16.6.24 -j REJECT'), topology: node0, packet: { family: 4, proto: 'icmp', src: '172.16.6.24', dst: '172.16.6.251', icmpType: 8 } },
	{ name: 'no-ping: ssh from the same node is not', rules: filter('-A INPUT -p icmp --icmp-type 8 -s 172.16.6.24 -j REJECT'), topology: node0, packet: { family: 4, proto: 'tcp', src: '172.16.6.24', dst: '172.16.6.251', dport: 22 } },
];

const chains = `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:PORTMAP - [0:0]
-A PREROUTING -p tcp -j PORTMAP
-A PORTMAP -p tcp --dport 22 -j RETURN
-A PORTMAP -p tcp --dport 8080 -j DNAT --to-destination 10.9.0.2:80
-A POSTROUTING -o eth1 -j MASQUERADE
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:CHECKS - [0:0]
:WEB - [0:0]
:LOGDROP - [0:0]
-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -i eth0 -o eth1 -j CHECKS
-A CHECKS -s 10.2.67.200 -j LOGDROP
-A CHECKS -p tcp --dport 80 -g WEB
-A CHECKS -p udp -j RETURN
-A WEB -d 10.9.0.2 -j ACCEPT
-A LOGDROP -j LOG --log-prefix "dropped: "
-A LOGDROP -j DROP
COMMIT
`;

/** The forward path: user chains, RETURN, goto, DNAT and MASQUERADE. */
const FORWARD: DifferentialCase[] = [
	{ name: 'forward: DNAT 8080 → 10.9.0.2:80, goto WEB accepts, MASQUERADE out eth1', rules: chains, packet: { family: 4, proto: 'tcp', src: '10.2.67.113', dst: '10.2.67.1', dport: 8080 }, listen: [{ ns: 'server', proto: 'tcp', port: 80 }] },
	{ name: 'forward: straight to the server on 80 through goto WEB', rules: chains, packet: { family: 4, proto: 'tcp', src: '10.2.67.113', dst: '10.9.0.2', dport: 80 } },
	{ name: 'forward: udp returns from CHECKS to the DROP policy', rules: chains, packet: { family: 4, proto: 'udp', src: '10.2.67.113', dst: '10.9.0.2', dport: 53 } },
	{ name: 'forward: tcp/443 ends CHECKS, returns, DROP policy', rules: chains, packet: { family: 4, proto: 'tcp', src: '10.2.67.113', dst: '10.9.0.2', dport: 443 } },
	{ name: 'forward: PORTMAP RETURN for ssh, then local delivery', rules: chains, packet: { family: 4, proto: 'tcp', src: '10.2.67.113', dst: '10.2.67.1', dport: 22 } },
	{ name: 'forward: a blocked source goes through LOGDROP', rules: chains, topology: { client: { addrs: ['10.2.67.200/24'] } }, packet: { family: 4, proto: 'tcp', src: '10.2.67.200', dst: '10.9.0.2', dport: 80 } },
	{ name: 'INPUT order on nf_tables: nat (100) before security (150)', rules: '*nat\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp -j SNAT --to-source 10.2.67.50\nCOMMIT\n*security\n:INPUT ACCEPT [0:0]\n-A INPUT -j LOG --log-prefix "sec: "\nCOMMIT\n*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j LOG --log-prefix "filter: "\nCOMMIT\n', packet: { family: 4, proto: 'tcp', src: '10.2.67.113', dst: '10.2.67.1', dport: 22 } },
	{ name: 'output: a local packet through OUTPUT and POSTROUTING', rules: chains, packet: { family: 4, proto: 'udp', src: '10.9.0.1', dst: '10.9.0.2', dport: 53, local: true } },
];

const open = filter();
/** The routing decision's own verdicts: route types, forwarding off, reverse-path filtering. */
const ROUTING: DifferentialCase[] = [
	{ name: 'a blackhole route drops silently', rules: open, topology: { host: { routes: ['blackhole 10.77.0.0/16'] } }, packet: { family: 4, proto: 'tcp', src: '10.2.67.113', dst: '10.77.1.1', dport: 80 } },
	{ name: 'an unreachable route answers host unreachable', rules: open, topology: { host: { routes: ['unreachable 10.78.0.0/16'] } }, packet: { family: 4, proto: 'udp', src: '10.2.67.113', dst: '10.78.1.1', dport: 53 } },
	{ name: 'a prohibit route answers administratively prohibited', rules: open, topology: { host: { routes: ['prohibit 10.79.0.0/16'] } }, packet: { family: 4, proto: 'tcp', src: '10.2.67.113', dst: '10.79.1.1', dport: 22 } },
	{ name: 'the answer of an unreachable route is itself dropped by OUTPUT', rules: filter('-A OUTPUT -p icmp -j DROP'), topology: { host: { routes: ['unreachable 10.78.0.0/16'] } }, packet: { family: 4, proto: 'udp', src: '10.2.67.113', dst: '10.78.1.1', dport: 53 } },
	{ name: 'forwarding off: a packet for another host is dropped', rules: open, topology: { host: { ipForward: false } }, packet: { family: 4, proto: 'tcp', src: '10.2.67.113', dst: '10.9.0.2', dport: 80 } },
	{ name: 'rp_filter=1 drops a source that routes back out another interface', rules: open, topology: { host: { sysctls: { 'net.ipv4.conf.all.rp_filter': 1 } } }, packet: { family: 4, proto: 'udp', src: '10.9.0.50', dst: '10.2.67.1', dport: 53 } },
	{ name: 'rp_filter=2 lets it in: the source routes back somewhere', rules: open, topology: { host: { sysctls: { 'net.ipv4.conf.all.rp_filter': 2 } } }, packet: { family: 4, proto: 'udp', src: '10.9.0.50', dst: '10.2.67.1', dport: 53 } },
	{ name: 'TTL 1 expires on forwarding', rules: open, packet: { family: 4, proto: 'udp', src: '10.2.67.113', dst: '10.9.0.2', dport: 53, ttl: 1 } },
	{ name: 'IPv6: ssh refused with tcp-reset, http accepted by the DROP policy’s exception', rules6: '*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 80 -j ACCEPT\n-A INPUT -p tcp --dport 22 -j REJECT --reject-with tcp-reset\nCOMMIT\n', packet: { family: 6, proto: 'tcp', src: 'fd00:1::113', dst: 'fd00:1::1', dport: 22 } },
];

for (const [suite, cases] of [['the handout’s iptables exercises', HANDOUT], ['forward and output paths', FORWARD], ['routing verdicts', ROUTING]] as const) {
	describe(`kernel agrees: ${suite}`, () => {
		for (const c of cases) {
			test(c.name, async (t) => {
				if (!requireKernelOrSkip(t)) return;
				const result = await compareWithKernel(c);
				assert.ok(result.agree, result.report);
			});
		}
	});
}
