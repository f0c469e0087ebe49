import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import * as g from '../../bench/capture-gen.js';
import { decodeFrame } from '../../source/capture/decode/index.js';
import { CaptureReader } from '../../source/capture/reader.js';
import { type ReplayResult, Replayer, type ReplayTrace } from '../../source/capture/replay.js';
import { buildHost, type RawHostState } from '../../source/host/model.js';
import type { Trace } from '../../source/trace/model.js';
import { tracePacket } from '../../source/trace/pipeline.js';
import { REPO } from '../support/paths.js';

const CLIENT_MAC = '02:00:00:00:00:0a';
const HOST_MAC = '02:00:00:00:00:01';
const HOST_MAC_1 = '02:00:00:00:00:02';

/** The handout's ruleset: established traffic and port 80 in, everything else dropped. */
const HANDOUT = `*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -m state --state ESTABLISHED,RELATED -j ACCEPT
-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT
-A FORWARD -m state --state ESTABLISHED,RELATED -j ACCEPT
-A FORWARD -d 192.168.1.10/32 -p tcp -m tcp --dport 80 -j ACCEPT
COMMIT
`;

const DNAT = `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -d 10.0.0.1/32 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 192.168.1.10:80
COMMIT
`;

/** A host with 10.0.0.1 on eth0 (clients) and 192.168.1.1 on eth1 (servers). */
function raw(iptables: string, sysctl?: string): RawHostState {
	const addresses = [
		{ ifindex: 2, ifname: 'eth0', address: HOST_MAC, addr_info: [{ family: 'inet', local: '10.0.0.1', prefixlen: 24 }, { family: 'inet6', local: '2001:db8::1', prefixlen: 64 }] },
		{ ifindex: 3, ifname: 'eth1', address: HOST_MAC_1, addr_info: [{ family: 'inet', local: '192.168.1.1', prefixlen: 24 }] },
	];
	const routes = [
		{ type: 'local', dst: '10.0.0.1', dev: 'eth0', table: 'local', prefsrc: '10.0.0.1' },
		{ type: 'local', dst: '192.168.1.1', dev: 'eth1', table: 'local', prefsrc: '192.168.1.1' },
		{ dst: '10.0.0.0/24', dev: 'eth0', prefsrc: '10.0.0.1' },
		{ dst: '192.168.1.0/24', dev: 'eth1', prefsrc: '192.168.1.1' },
		{ type: 'local', dst: '2001:db8::1', dev: 'eth0', table: 'local' },
		{ dst: '2001:db8::/64', dev: 'eth0' },
		{ type: 'multicast', dst: 'ff00::/8', dev: 'eth0', table: 'local' },
	];
	return { iptables, addresses: JSON.stringify(addresses), routes: JSON.stringify(routes), ...(sysctl !== undefined ? { sysctl } : {}) };
}

const none = new Uint8Array(0);
type Frame = { at: number; data: Uint8Array };
const ip4 = (src: string, dst: string, proto: number, body: Uint8Array, o?: g.Ip4Options) => g.eth(HOST_MAC, CLIENT_MAC, 0x0800, g.ipv4(src, dst, proto, body, o));
const tcp = (at: number, from: string, to: string, flags: number, payload = none): Frame => {
	const [src, sport] = from.split(':') as [string, string];
	const [dst, dport] = to.split(':') as [string, string];
	return { at, data: ip4(src, dst, 6, g.tcp(Number(sport), Number(dport), payload, { flags })) };
};
const udp = (at: number, from: string, to: string): Frame => {
	const [src, sport] = from.split(':') as [string, string];
	const [dst, dport] = to.split(':') as [string, string];
	return { at, data: ip4(src, dst, 17, g.udp(Number(sport), Number(dport), Buffer.from('query'))) };
};
const SYN = 0x02, ACK = 0x10, SYNACK = 0x12, PSHACK = 0x18, FINACK = 0x11, RSTACK = 0x14;

function capture(frames: Frame[], linkType = 1): Uint8Array {
	return g.pcapFile(frames.map((f) => ({ sec: 1_700_000_000 + Math.floor(f.at), nsec: Math.round((f.at % 1) * 1e9), data: f.data })), { linkType });
}

/** Replays a capture the test wrote; keeps each packet's trace too. */
function replay(iptables: string, frames: Frame[], sysctl?: string, linkType = 1): { results: ReplayResult[]; traces: (Trace | undefined)[]; replayer: Replayer } {
	const traces: (Trace | undefined)[] = [];
	const tracer = (host: Parameters<typeof tracePacket>[0], packet: Parameters<typeof tracePacket>[1], options: { isReply?: boolean }): ReplayTrace => {
		const trace = tracePacket(host, packet, options);
		traces[traces.length - 1] = trace;
		return trace;
	};
	const replayer = new Replayer(buildHost(raw(iptables, sysctl)).model, { tracer });
	const reader = new CaptureReader();
	reader.feed(capture(frames, linkType));
	const results: ReplayResult[] = [];
	let frame;
	while ((frame = reader.next()) !== undefined) {
		traces.push(undefined);
		results.push(replayer.replay(decodeFrame(frame)));
	}
	return { results, traces, replayer };
}

const HTTP_FLOW = [
	tcp(0, '10.0.0.5:40000', '10.0.0.1:80', SYN),
	tcp(0.001, '10.0.0.1:80', '10.0.0.5:40000', SYNACK),
	tcp(0.002, '10.0.0.5:40000', '10.0.0.1:80', ACK),
	tcp(0.003, '10.0.0.5:40000', '10.0.0.1:80', PSHACK, Buffer.from('GET / HTTP/1.0\r\n\r\n')),
	tcp(0.004, '10.0.0.1:80', '10.0.0.5:40000', PSHACK, Buffer.from('HTTP/1.0 200 OK\r\n\r\n')),
	tcp(0.005, '10.0.0.1:80', '10.0.0.5:40000', FINACK),
	tcp(0.006, '10.0.0.5:40000', '10.0.0.1:80', FINACK),
	tcp(0.007, '10.0.0.1:80', '10.0.0.5:40000', ACK),
];
const SSH_TRIES = [
	tcp(1, '10.0.0.6:50000', '10.0.0.1:22', SYN),
	tcp(2, '10.0.0.6:50000', '10.0.0.1:22', SYN),
	tcp(4, '10.0.0.6:50000', '10.0.0.1:22', SYN),
];

describe('Replayer: the handout ruleset', () => {
	test('an allowed flow: handshake, data and FIN all accepted; NEW once, then ESTABLISHED', () => {
		const { results, replayer } = replay(HANDOUT, HTTP_FLOW);
		assert.deepEqual(results.map((r) => r.fate), ['delivered', 'sent', 'delivered', 'delivered', 'sent', 'sent', 'delivered', 'sent']);
		assert.deepEqual(results.map((r) => r.ct), ['NEW', ...new Array(7).fill('ESTABLISHED')]);
		assert.deepEqual(results.map((r) => r.verdict?.rule), [2, null, 1, 1, null, null, 1, null]);
		assert.ok(results.every((r) => r.flow === 1));
		assert.equal(replayer.summary().incomplete_flows, 0);
	});

	test('a flow to port 22 is dropped at its SYN and at each retransmission, and leaves no connection', () => {
		const { results, replayer } = replay(HANDOUT, SSH_TRIES);
		for (const r of results) {
			assert.deepEqual([r.fate, r.ct, r.flow, r.verdict?.chain, r.verdict?.rule, r.verdict?.target], ['dropped', 'NEW', 1, 'INPUT', null, 'DROP']);
		}
		assert.equal(replayer.table.size, 0);
		assert.equal(replayer.summary().incomplete_flows, 1);
	});

	test('an ACK without connection: NEW and picked up with nf_conntrack_tcp_loose = 1, INVALID with 0', () => {
		const frames = [tcp(0, '10.0.0.7:41000', '10.0.0.1:80', ACK), tcp(0.1, '10.0.0.1:80', '10.0.0.7:41000', ACK)];
		const loose = replay(HANDOUT, frames);
		assert.deepEqual(loose.results.map((r) => r.ct), ['NEW', 'ESTABLISHED']);
		assert.equal(loose.replayer.table.size, 1);
		const strict = replay(HANDOUT, frames, 'net.netfilter.nf_conntrack_tcp_loose = 0\n');
		assert.deepEqual(strict.results.map((r) => r.ct), ['INVALID', 'INVALID']);
		assert.equal(strict.replayer.table.size, 0);
		// Port 80 is accepted whatever the state; a mid-stream packet to another port is dropped either way.
		assert.equal(strict.results[0]!.fate, 'delivered');
	});

	test('an ICMP port unreachable is RELATED to the UDP flow it answers and accepted; one about no flow is INVALID and dropped', () => {
		const query = udp(0, '10.0.0.1:5000', '10.0.0.5:53');
		const unreachable = (about: string) => {
			const [, sport] = about.split(':');
			return { at: 0.01, data: ip4('10.0.0.5', '10.0.0.1', 1, g.icmp(3, 3, Buffer.concat([new Uint8Array(4), g.ipv4('10.0.0.1', '10.0.0.5', 17, g.udp(Number(sport), 53, Buffer.from('query')))]))) };
		};
		const { results } = replay(HANDOUT, [query, unreachable('10.0.0.1:5000'), unreachable('10.0.0.1:5999')]);
		assert.deepEqual(results.map((r) => [r.fate, r.ct, r.flow]), [['sent', 'NEW', 1], ['delivered', 'RELATED', 1], ['dropped', 'INVALID', 2]]);
		assert.equal(results[1]!.verdict?.rule, 1);
	});

	test('a connection expires after its timeout in capture time (nf_conntrack_udp_timeout from the host)', () => {
		const frames = (gap: number) => [udp(0, '10.0.0.1:5001', '10.0.0.5:53'), udp(gap, '10.0.0.5:53', '10.0.0.1:5001')];
		assert.deepEqual(replay(HANDOUT, frames(29.5)).results.map((r) => [r.ct, r.fate]), [['NEW', 'sent'], ['ESTABLISHED', 'delivered']]);
		assert.deepEqual(replay(HANDOUT, frames(30.5)).results.map((r) => [r.ct, r.fate]), [['NEW', 'sent'], ['NEW', 'dropped']]);
		assert.deepEqual(replay(HANDOUT, frames(30.5), 'net.netfilter.nf_conntrack_udp_timeout = 60\n').results.map((r) => r.ct), ['NEW', 'ESTABLISHED']);
	});

	test('a DNAT flow: later packets get the recorded translation, replies are un-NATed on the way out', () => {
		const frames = [
			tcp(0, '10.0.0.5:40000', '10.0.0.1:8080', SYN),
			tcp(0.001, '192.168.1.10:80', '10.0.0.5:40000', SYNACK),
			tcp(0.002, '10.0.0.5:40000', '10.0.0.1:8080', ACK),
		];
		const { results, traces } = replay(HANDOUT + DNAT, frames);
		assert.deepEqual(results.map((r) => [r.fate, r.ct]), [['forwarded', 'NEW'], ['forwarded', 'ESTABLISHED'], ['forwarded', 'ESTABLISHED']]);
		const [syn, synack, ack] = traces as Trace[];
		assert.deepEqual([syn!.final.dst, syn!.final.dport], ['192.168.1.10', 80]);
		assert.deepEqual([synack!.final.src, synack!.final.sport, synack!.final.out], ['10.0.0.1', 8080, 'eth0']);
		assert.ok(synack!.steps.some((s) => s.kind === 'rewrite' && s.hook === 'POSTROUTING' && /recorded DNAT undone/.test(s.change)));
		assert.deepEqual([ack!.final.dst, ack!.final.dport, ack!.final.out], ['192.168.1.10', 80, 'eth1']);
		assert.ok(ack!.steps.some((s) => s.kind === 'rewrite' && s.hook === 'PREROUTING' && /recorded DNAT applied/.test(s.change)));
		assert.ok(ack!.steps.some((s) => s.kind === 'skip' && s.table === 'nat'), 'nat chains are not consulted again');
	});

	test('a connection’s mark (CONNMARK) is carried to its later packets', () => {
		const rules = `*mangle\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -p udp -m conntrack --ctstate NEW -j CONNMARK --set-mark 0x7\nCOMMIT\n*filter\n:INPUT DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -m connmark --mark 0x7 -j ACCEPT\nCOMMIT\n`;
		const frames = [udp(0, '10.0.0.5:5353', '10.0.0.1:53'), udp(0.1, '10.0.0.1:53', '10.0.0.5:5353'), udp(0.2, '10.0.0.5:5353', '10.0.0.1:53')];
		const { results, traces } = replay(rules, frames);
		assert.deepEqual(results.map((r) => [r.fate, r.ct, r.verdict?.rule]), [['delivered', 'NEW', 1], ['sent', 'ESTABLISHED', null], ['delivered', 'ESTABLISHED', 1]]);
		assert.equal(traces[0]!.final.ctmark, '0x7');
		assert.ok(!traces[2]!.hits.some((h) => h.target === 'CONNMARK'), 'the mark came from the connection, not from a rule');
	});

	test('raw NOTRACK: UNTRACKED, and no connection is made', () => {
		const rules = `*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A PREROUTING -p udp --dport 123 -j NOTRACK\nCOMMIT\n${HANDOUT}`;
		const { results, replayer } = replay(rules, [udp(0, '10.0.0.5:123', '10.0.0.1:123')]);
		assert.deepEqual([results[0]!.ct, results[0]!.fate], ['UNTRACKED', 'dropped']);
		assert.equal(replayer.table.size, 0);
	});

	test('a REJECT’s RST, when captured, is RELATED to the refused packet (nf_ct_attach)', () => {
		const rules = HANDOUT.replace('-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT', '-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT\n-A INPUT -p tcp -m tcp --dport 23 -j REJECT --reject-with tcp-reset');
		const { results } = replay(rules, [tcp(0, '10.0.0.5:40100', '10.0.0.1:23', SYN), tcp(0.0001, '10.0.0.1:23', '10.0.0.5:40100', RSTACK)]);
		assert.deepEqual(results.map((r) => [r.fate, r.ct, r.flow]), [['rejected', 'NEW', 1], ['sent', 'RELATED', 1]]);
		// In FORWARD the RST leaves with the refused packet's destination as source, and the host's MAC.
		const forward = HANDOUT.replace(':OUTPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]\n-A FORWARD -p tcp -m tcp --dport 25 -j REJECT --reject-with tcp-reset');
		const rst = g.eth(CLIENT_MAC, HOST_MAC, 0x0800, g.ipv4('192.168.1.10', '10.0.0.5', 6, g.tcp(25, 40200, none, { flags: RSTACK })));
		const forwarded = replay(forward, [tcp(0, '10.0.0.5:40200', '192.168.1.10:25', SYN), { at: 0.0001, data: rst }]);
		assert.deepEqual(forwarded.results.map((r) => [r.fate, r.ct, r.flow]), [['rejected', 'NEW', 1], ['sent', 'RELATED', 1]]);
		assert.equal(forwarded.traces[1]!.final.out, 'eth0');
	});

	test('a forwarded packet captured twice (tcpdump -i any, or leaving with the host’s MAC) is traced once, where it arrived', () => {
		const syn = g.ipv4('10.0.0.5', '192.168.1.10', 6, g.tcp(40000, 80, none, { flags: SYN }));
		const synack = g.ipv4('192.168.1.10', '10.0.0.5', 6, g.tcp(80, 40000, none, { flags: SYNACK }));
		const cooked = [
			{ at: 0, data: g.sll2(2, 0, CLIENT_MAC, 0x0800, syn) },
			{ at: 0.0001, data: g.sll2(3, 4, HOST_MAC_1, 0x0800, syn) },
			{ at: 0.001, data: g.sll2(3, 0, '02:00:00:00:00:10', 0x0800, synack) },
			{ at: 0.0011, data: g.sll2(2, 4, HOST_MAC, 0x0800, synack) },
		];
		const { results, traces } = replay(HANDOUT, cooked, undefined, 276);
		assert.deepEqual(results.map((r) => [r.fate, r.ct]), [['forwarded', 'NEW'], ['skipped', null], ['forwarded', 'ESTABLISHED'], ['skipped', null]]);
		assert.deepEqual([traces[0]!.packet.in, traces[2]!.packet.in], ['eth0', 'eth1']);
		assert.match(results[1]!.why!, /leaving the host/);
		// Captured only leaving (on the server's link): traced as it arrived, by the route back to its source.
		const leaving = replay(HANDOUT, [{ at: 0, data: g.eth('02:00:00:00:00:10', HOST_MAC_1, 0x0800, syn) }]);
		assert.deepEqual([leaving.results[0]!.fate, leaving.results[0]!.ct, leaving.traces[0]!.packet.in], ['forwarded', 'NEW', 'eth0']);
	});

	test('a DNAT flow captured on the client’s link: the reply, seen after NAT, is traced as it arrived from the server', () => {
		const toClient = (from: string, flags: number) => {
			const [src, sport] = from.split(':') as [string, string];
			return g.eth(CLIENT_MAC, HOST_MAC, 0x0800, g.ipv4(src, '10.0.0.5', 6, g.tcp(Number(sport), 40000, none, { flags })));
		};
		const frames = [
			tcp(0, '10.0.0.5:40000', '10.0.0.1:8080', SYN),
			{ at: 0.001, data: toClient('10.0.0.1:8080', SYNACK) },
			tcp(0.002, '10.0.0.5:40000', '10.0.0.1:8080', ACK),
			{ at: 0.003, data: toClient('10.0.0.1:8080', FINACK) },
		];
		const { results, traces } = replay(HANDOUT + DNAT, frames);
		assert.deepEqual(results.map((r) => [r.fate, r.ct, r.flow]), [['forwarded', 'NEW', 1], ['forwarded', 'ESTABLISHED', 1], ['forwarded', 'ESTABLISHED', 1], ['forwarded', 'ESTABLISHED', 1]]);
		assert.deepEqual([traces[1]!.packet.src, traces[1]!.packet.sport, traces[1]!.packet.in], ['192.168.1.10', 80, 'eth1']);
		assert.deepEqual([traces[1]!.final.src, traces[1]!.final.sport], ['10.0.0.1', 8080]);
	});

	test('IPv6: an ICMPv6 echo and its reply are one flow, NEW then ESTABLISHED; neighbour discovery is UNTRACKED', () => {
		const ip6 = (src: string, dst: string, body: Uint8Array) => g.eth(HOST_MAC, CLIENT_MAC, 0x86dd, g.ipv6(src, dst, 58, body, [], 255));
		const frames = [
			{ at: 0, data: ip6('2001:db8::5', '2001:db8::1', g.icmpv6(128, 0, Uint8Array.of(0, 9, 0, 1))) },
			{ at: 0.001, data: ip6('2001:db8::1', '2001:db8::5', g.icmpv6(129, 0, Uint8Array.of(0, 9, 0, 1))) },
			{ at: 0.002, data: ip6('2001:db8::1', '2001:db8::5', g.icmpv6(129, 0, Uint8Array.of(0, 10, 0, 1))) },
			{ at: 0.003, data: ip6('fe80::5', 'ff02::1:ff00:1', g.neighborSolicitation('fe80::1', CLIENT_MAC)) },
		];
		const { results } = replay(HANDOUT, frames);
		assert.deepEqual(results.map((r) => [r.fate, r.ct, r.flow]), [['delivered', 'NEW', 1], ['sent', 'ESTABLISHED', 1], ['sent', 'INVALID', 2], ['delivered', 'UNTRACKED', 3]]);
	});

	test('ARP, fragments and cut headers are skipped with why; the summary counts packets, flows, fates and rules', () => {
		const frames = [
			...HTTP_FLOW,
			...SSH_TRIES,
			{ at: 5, data: g.eth('ff:ff:ff:ff:ff:ff', CLIENT_MAC, 0x0806, g.arp(1, CLIENT_MAC, '10.0.0.5', '00:00:00:00:00:00', '10.0.0.1')) },
			{ at: 6, data: ip4('10.0.0.5', '10.0.0.1', 17, g.udp(1, 2, Buffer.alloc(100)), { mf: true }) },
			{ at: 7, data: ip4('10.0.0.5', '10.0.0.1', 17, Buffer.alloc(40), { fragOffset: 1480 }) },
			{ at: 8, data: ip4('10.0.0.5', '10.0.0.1', 6, Uint8Array.of(0, 80)) },
		];
		const { results, replayer } = replay(HANDOUT, frames);
		const skipped = results.filter((r) => r.fate === 'skipped');
		assert.equal(skipped.length, 4);
		assert.match(skipped[0]!.why!, /ARP/);
		assert.match(skipped[1]!.why!, /fragment/);
		assert.match(skipped[2]!.why!, /fragment/);
		assert.match(skipped[3]!.why!, /TCP header/);
		assert.ok(skipped.every((r) => r.verdict === null && r.ct === null && r.flow === null));
		const s = replayer.summary();
		assert.equal(s.packets, frames.length);
		assert.equal(s.flows, 2);
		assert.deepEqual(s.by_fate, { delivered: 4, sent: 4, dropped: 3, skipped: 4 });
		assert.deepEqual(s.flows_by_fate, { delivered: 1, dropped: 1 });
		assert.equal(s.incomplete_flows, 1);
		const count = (chain: string, rule: number | null) => s.by_rule.find((r) => r.chain === chain && r.rule === rule)?.count;
		assert.deepEqual([count('INPUT', 1), count('INPUT', 2), count('INPUT', null), count('OUTPUT', null)], [3, 1, 3, 4]);
	});
});

describe('netsleuth pcap --trace', () => {
	const tmp = mkdtempSync(join(tmpdir(), 'netsleuth-replay-'));
	after(() => rmSync(tmp, { recursive: true, force: true }));
	const write = (name: string, content: string | Uint8Array) => {
		const path = join(tmp, name);
		writeFileSync(path, content);
		return path;
	};
	const host = raw(HANDOUT);
	const source = ['--rules', write('rules', HANDOUT), '--links', write('links.json', host.addresses!), '--routes', write('routes.json', host.routes!)];
	const file = write('flows.pcap', capture([...HTTP_FLOW, ...SSH_TRIES, { at: 5, data: g.eth('ff:ff:ff:ff:ff:ff', CLIENT_MAC, 0x0806, g.arp(1, CLIENT_MAC, '10.0.0.5', '00:00:00:00:00:00', '10.0.0.1')) }]));
	const run = (args: string[]) => spawnSync(process.execPath, [join(REPO, 'bin', 'netsleuth.js'), ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

	test('--json: every line gains fate, verdict, ct and flow; the last line is the summary', () => {
		const { status, stdout, stderr } = run(['pcap', file, '--trace', ...source, '--json']);
		assert.equal(status, 0, stderr);
		const lines = stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
		assert.equal(lines.length, HTTP_FLOW.length + SSH_TRIES.length + 2);
		assert.deepEqual(lines[0].verdict, { table: 'filter', chain: 'INPUT', rule: 2, target: 'ACCEPT', text: '-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT' });
		assert.deepEqual(lines.slice(0, 11).map((l) => [l.n, l.fate, l.ct, l.flow]), [
			[1, 'delivered', 'NEW', 1], [2, 'sent', 'ESTABLISHED', 1], [3, 'delivered', 'ESTABLISHED', 1], [4, 'delivered', 'ESTABLISHED', 1],
			[5, 'sent', 'ESTABLISHED', 1], [6, 'sent', 'ESTABLISHED', 1], [7, 'delivered', 'ESTABLISHED', 1], [8, 'sent', 'ESTABLISHED', 1],
			[9, 'dropped', 'NEW', 2], [10, 'dropped', 'NEW', 2], [11, 'dropped', 'NEW', 2],
		]);
		assert.equal(lines[0].summary, '40000 > 80 [SYN] seq 1000 win 64240 len 0', 'the pcap fields stay');
		assert.deepEqual([lines[11].fate, lines[11].verdict, lines[11].ct, lines[11].flow], ['skipped', null, null, null]);
		assert.match(lines[11].why, /ARP/);
		const { summary } = lines.at(-1);
		assert.deepEqual([summary.packets, summary.flows, summary.by_fate, summary.flows_by_fate, summary.incomplete_flows], [12, 2, { delivered: 4, sent: 4, dropped: 3, skipped: 1 }, { delivered: 1, dropped: 1 }, 1]);
		assert.deepEqual(summary.by_rule.find((r: { rule: number | null; chain: string }) => r.chain === 'INPUT' && r.rule === null), { table: 'filter', chain: 'INPUT', rule: null, target: 'DROP', count: 3 });
		assert.match(stdout, /^[\x20-\x7e\n]*$/);
	});

	test('table: ct and fate columns, then the summary tables', () => {
		const { status, stdout, stderr } = run(['pcap', file, '--trace', ...source]);
		assert.equal(status, 0, stderr);
		assert.match(stdout, /│ ct +│ fate +│/);
		assert.match(stdout, /│ 1 .*│ NEW +│ delivered filter\/INPUT #2 ACCEPT +│/);
		assert.match(stdout, /│ 9 .*│ NEW +│ dropped filter\/INPUT policy DROP +│/);
		assert.match(stdout, /│ fate +│ packets │ flows │/);
		assert.match(stdout, /│ dropped +│ 3 +│ 1 +│/);
		assert.match(stdout, /│ filter │ INPUT +│ policy │ DROP +│ 3 +│/);
		assert.match(stdout, /never completed their handshake: 1/);
		assert.doesNotMatch(stdout, /\x1b\[/);
	});

	test('--hits: each traced line also lists the rules and policies it met, as trace --json does', () => {
		const { status, stdout, stderr } = run(['pcap', file, '--trace', ...source, '--json', '--hits']);
		assert.equal(status, 0, stderr);
		const lines = stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
		const filterHits = (l: { hits: Array<{ table: string }> }) => l.hits.filter((h) => h.table === 'filter');
		assert.deepEqual(filterHits(lines[0]), [{ table: 'filter', chain: 'INPUT', type: 'rule', rule: 2, target: 'ACCEPT' }]);
		assert.deepEqual(filterHits(lines[8]).at(-1), { table: 'filter', chain: 'INPUT', type: 'policy', rule: null, target: 'DROP' });
		assert.equal(lines[11].hits, undefined, 'a skipped frame met no rule');
		const plain = run(['pcap', file, '--trace', ...source, '--json']).stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
		assert.deepEqual(lines.map(({ hits: _, ...rest }) => rest), plain, 'otherwise the same lines');
		assert.equal(run(['pcap', file, '--hits', '--json']).status, 2, '--hits without --trace is a usage error');
	});

	test('without --trace the listing has no trace columns, and the host is not read', () => {
		const { status, stdout } = run(['pcap', file, '--json', '--rules', join(tmp, 'missing')]);
		assert.equal(status, 0);
		assert.equal(JSON.parse(stdout.split('\n')[0]!).fate, undefined);
	});
});
