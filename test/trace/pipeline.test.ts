import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadDemo } from '../../source/host/demo/index.js';
import { buildHost } from '../../source/host/model.js';
import { ChainLoopError } from '../../source/netfilter/walk.js';
import { tracePacket } from '../../source/trace/pipeline.js';
import { packet } from '../support/packets.js';

const rulesOnly = (iptables: string) => buildHost({ iptables }).model;

const KUBE = `*nat
:PREROUTING ACCEPT [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-SVC-A - [0:0]
:KUBE-SEP-1 - [0:0]
:KUBE-SEP-2 - [0:0]
:KUBE-SEP-3 - [0:0]
-A PREROUTING -j KUBE-SERVICES
-A KUBE-SERVICES -d 10.96.0.10/32 -p tcp -m tcp --dport 80 -j KUBE-SVC-A
-A KUBE-SVC-A -m statistic --mode random --probability 0.33333333349 -j KUBE-SEP-1
-A KUBE-SVC-A -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-2
-A KUBE-SVC-A -j KUBE-SEP-3
-A KUBE-SEP-1 -p tcp -m tcp -j DNAT --to-destination 10.244.1.5:8080
-A KUBE-SEP-2 -p tcp -m tcp -j DNAT --to-destination 10.244.2.7:8080
-A KUBE-SEP-3 -p tcp -m tcp -j DNAT --to-destination 10.244.3.9:8080
COMMIT
`;

describe('tracePacket', () => {
	test('kube-proxy load balancing: every branch listed with its share, the same flow always takes the same one', () => {
		const host = rulesOnly(KUBE);
		const endpoints = new Map<string, number>();
		for (let port = 30000; port < 33000; port++) {
			const trace = tracePacket(host, packet(`tcp 10.0.0.5:${port} > 10.96.0.10:80 in eth0 out cni0`));
			assert.deepEqual(trace.branches.map((b) => [b.rule, b.target, Number(b.share.toFixed(3))]), [[1, 'KUBE-SEP-1', 0.333], [2, 'KUBE-SEP-2', 0.333], [3, 'KUBE-SEP-3', 0.333]]);
			assert.equal(trace.branches.filter((b) => b.taken).length, 1);
			endpoints.set(trace.final.dst, (endpoints.get(trace.final.dst) ?? 0) + 1);
			if (port === 30000) assert.deepEqual(tracePacket(host, packet(`tcp 10.0.0.5:${port} > 10.96.0.10:80 in eth0 out cni0`)), trace);
		}
		assert.deepEqual([...endpoints.keys()].sort(), ['10.244.1.5', '10.244.2.7', '10.244.3.9']);
		for (const count of endpoints.values()) assert.ok(count > 850 && count < 1150, `uneven split: ${[...endpoints.values()]}`);
	});
	test('nat is consulted only for a first packet, and says so', () => {
		const host = rulesOnly(KUBE.replace('-A PREROUTING -j KUBE-SERVICES', '-A PREROUTING -m conntrack --ctstate NEW -j KUBE-SERVICES'));
		const established = tracePacket(host, packet('tcp 10.0.0.5:40000 > 10.96.0.10:80 in eth0 out cni0 state ESTABLISHED'));
		assert.equal(established.final.dst, '10.96.0.10');
		assert.ok(established.steps.some((s) => s.kind === 'skip' && /first packet/.test(s.why)));
		assert.equal(established.hits.length, 0);
	});
	test('without any rule that needs conntrack, nat chains see nothing (as the kernel: no tracking)', () => {
		const host = rulesOnly('*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -j ACCEPT\nCOMMIT\n');
		const trace = tracePacket(host, packet('udp 10.0.0.5:1 > 10.0.0.1:53 in eth0'));
		assert.deepEqual(trace.hits, []);
		assert.ok(trace.assumptions.some((a) => /track none/.test(a)));
	});
	test('CT --notrack in raw: the packet skips nat', () => {
		const host = rulesOnly('*raw\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -p udp -j CT --notrack\nCOMMIT\n*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -p udp -j DNAT --to-destination 10.0.0.9\nCOMMIT\n');
		const trace = tracePacket(host, packet('udp 10.0.0.5:1 > 10.0.0.1:53 in eth0'));
		assert.equal(trace.final.dst, '10.0.0.1');
		assert.ok(trace.steps.some((s) => s.kind === 'skip' && /untracked/.test(s.why)));
	});
	test('goto: RETURN at the end of a goto chain goes back past the chain that jumped', () => {
		const host = rulesOnly('*filter\n:INPUT DROP [0:0]\n:A - [0:0]\n:B - [0:0]\n-A INPUT -j A\n-A INPUT -j ACCEPT\n-A A -g B\n-A A -j REJECT\n-A B -p tcp -j RETURN\nCOMMIT\n');
		const trace = tracePacket(host, packet('tcp 10.0.0.5:1 > 10.0.0.1:22 in eth0'));
		assert.deepEqual(trace.hits.map((h) => `${h.chain}:${h.type}:${h.rule}:${h.target}`), ['INPUT:rule:1:A', 'A:rule:1:B', 'B:rule:1:RETURN', 'INPUT:rule:2:ACCEPT']);
		assert.equal(trace.fate, 'delivered');
	});
	test('a chain loop in a hand-written dump is reported, not followed', () => {
		const host = rulesOnly('*filter\n:INPUT ACCEPT [0:0]\n:A - [0:0]\n:B - [0:0]\n-A INPUT -j A\n-A A -j B\n-A B -j A\nCOMMIT\n');
		assert.throws(() => tracePacket(host, packet('tcp 10.0.0.5:1 > 10.0.0.1:22 in eth0')), (e: Error) => e instanceof ChainLoopError && /A → B → A/.test(e.message));
	});
	test('the handout’s Calico routes: blackhole, a local workload and a route via another node', () => {
		const host = buildHost(loadDemo('node0').raw).model;
		const black = tracePacket(host, packet('tcp 172.16.6.24:40000 > 192.0.2.70:80 in ens32'));
		assert.equal(black.fate, 'dropped');
		assert.match(black.summary, /blackhole route 192.0.2.64\/26/);
		const workload = tracePacket(host, packet('tcp 172.16.6.24:40000 > 192.0.2.100:80 in ens32'));
		assert.equal(workload.fate, 'forwarded');
		assert.equal(workload.final.out, 'calic1364fb7922');
		const remote = tracePacket(host, packet('icmp 192.0.2.100 > 192.0.2.101 in calic1364fb7922'));
		assert.equal(remote.fate, 'forwarded');
		const routing = remote.steps.find((s) => s.kind === 'routing');
		assert.ok(routing && routing.kind === 'routing' && routing.gateway === '172.16.6.24' && routing.dev === 'ens32');
	});
	test('a mark set in OUTPUT re-routes the packet through the fwmark rule', () => {
		const routes = JSON.stringify([
			{ dst: 'default', gateway: '10.0.0.254', dev: 'eth0', flags: [] },
			{ dst: '10.0.0.0/24', dev: 'eth0', protocol: 'kernel', scope: 'link', prefsrc: '10.0.0.1', flags: [] },
			{ dst: '10.1.0.0/24', dev: 'eth1', protocol: 'kernel', scope: 'link', prefsrc: '10.1.0.1', flags: [] },
			{ table: '100', dst: 'default', gateway: '10.1.0.254', dev: 'eth1', flags: [] },
			{ type: 'local', dst: '10.0.0.1', dev: 'eth0', table: 'local', protocol: 'kernel', scope: 'host', prefsrc: '10.0.0.1', flags: [] },
			{ type: 'local', dst: '10.1.0.1', dev: 'eth1', table: 'local', protocol: 'kernel', scope: 'host', prefsrc: '10.1.0.1', flags: [] },
		]);
		const ipRules = JSON.stringify([
			{ priority: 0, src: 'all', table: 'local' },
			{ priority: 100, src: 'all', fwmark: '0x1', table: '100' },
			{ priority: 32766, src: 'all', table: 'main' },
			{ priority: 32767, src: 'all', table: 'default' },
		]);
		const host = buildHost({ iptables: '*mangle\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -p udp --dport 53 -j MARK --set-mark 0x1\nCOMMIT\n', routes, ipRules }).model;
		const trace = tracePacket(host, packet('udp 10.0.0.1:40000 > 8.8.8.8:53 local'));
		const routings = trace.steps.filter((s) => s.kind === 'routing');
		assert.equal(routings.length, 2);
		assert.ok(routings[1]!.kind === 'routing' && routings[1]!.reroute && routings[1]!.dev === 'eth1' && routings[1]!.table === '100');
		assert.equal(trace.fate, 'sent');
		assert.equal(trace.final.out, 'eth1');
	});
});
