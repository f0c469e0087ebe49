// Real traffic through a firewall namespace, captured on the client (or on the firewall itself with
// `tcpdump -i any`), with the kernel's own account of every packet: the nf_tables trace of each packet
// the host saw (which rule decided, whether it got past INPUT / FORWARD / POSTROUTING, its conntrack
// state) and the per-rule counters. The replay proof compares netsleuth's `pcap --trace` with this.
//
//   client 10.2.67.113 ── eth0 host 10.2.67.1 / 10.9.0.1 eth1 ── server 10.9.0.2
//   client fd00:1::113 ── eth0 host fd00:1::1 / fd00:9::1 eth1 ── server fd00:9::2   (the IPv6 run)
//
// The host routes between client and server (forward path) and serves tcp/8080 itself (input path and
// its answers on the output path); tcp/8081 is DNATed to the server's port 80.
//
// How a captured packet is found in the trace: the trace events carry the packet's headers as the hook
// saw them. Addresses, ports and TTL change on the way (NAT, forwarding), so a packet is known by what
// stays: protocol, IP id, total length, and the TCP sequence numbers and flags / the UDP payload's start /
// the ICMP echo id and sequence / an ICMP error's quoted IP id. IPv6 has no id: its flow label and payload
// length stand in, and ICMPv6 is known by its first 20 bytes less the checksum (echo id and sequence, a
// neighbour solicitation's target, an error's quoted header). The n-th capture of a key is the n-th
// time the host traced it.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { REPO } from '../../support/paths.js';
import {
	eventsToHits, type KernelHit, parseNftListing, parseRuleTargets, type RawTraceEvent, startObserver, TRACE_TABLE,
} from './kernel-trace.js';
import { python3, run, runInNs, type Topology, type TopologySpec } from './netns.js';
import { CLIENT_PY, SERVE_PY } from './traffic-py.js';

/** The addresses of one run: IPv4, or IPv6 in a parallel run of the same shape. */
export interface ReplayFamily {
	readonly family: 4 | 6;
	readonly client: string;
	readonly host: string;
	readonly hostServerSide: string;
	readonly server: string;
	/** The prefix length of both links. */
	readonly prefix: number;
}

export const IPV4: ReplayFamily = { family: 4, client: '10.2.67.113', host: '10.2.67.1', hostServerSide: '10.9.0.1', server: '10.9.0.2', prefix: 24 };
export const IPV6: ReplayFamily = { family: 6, client: 'fd00:1::113', host: 'fd00:1::1', hostServerSide: 'fd00:9::1', server: 'fd00:9::2', prefix: 64 };

/**
 * One family's addresses only. IPv4: IPv6 off, so the capture holds the test traffic and ARP, no ND or MLD.
 * IPv6: no IPv4 address, so no ARP; neighbour discovery (and any MLD report) is traffic like the rest.
 */
export function replayTopology(f: ReplayFamily): TopologySpec {
	const noV6: Record<string, number> = f.family === 4 ? { 'net.ipv6.conf.all.disable_ipv6': 1, 'net.ipv6.conf.default.disable_ipv6': 1 } : {};
	return {
		client: { addrs: [`${f.client}/${f.prefix}`], sysctls: noV6 },
		host: { clientIf: { addrs: [`${f.host}/${f.prefix}`] }, serverIf: { addrs: [`${f.hostServerSide}/${f.prefix}`] }, sysctls: noV6 },
		server: { addrs: [`${f.server}/${f.prefix}`], sysctls: noV6 },
	};
}

/**
 * A stateful firewall: conntrack decides replies, some ports dropped, some refused (TCP reset, port
 * unreachable, administratively prohibited), one DNAT; ICMP echo allowed toward the server only. IPv6
 * also lets neighbour discovery in (without it nothing on the links would be reachable).
 */
function replayRules(f: ReplayFamily): string {
	const v6 = f.family === 6;
	const icmp = v6 ? '-p ipv6-icmp -m icmp6 --icmpv6-type' : '-p icmp -m icmp --icmp-type';
	const to = (port: number) => (v6 ? `[${f.server}]:${port}` : `${f.server}:${port}`);
	const echo = v6 ? 128 : 8;
	const neighbourDiscovery = v6 ? [`-A INPUT ${icmp} 135 -j ACCEPT`, `-A INPUT ${icmp} 136 -j ACCEPT`] : [];
	return `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -d ${f.host}/${v6 ? 128 : 32} -i eth0 -p tcp -m tcp --dport 8081 -j DNAT --to-destination ${to(80)}
-A PREROUTING -d ${f.host}/${v6 ? 128 : 32} -i eth0 -p tcp -m tcp --dport 8082 -j DNAT --to-destination ${to(22)}
COMMIT
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT ${icmp} ${echo} -j ACCEPT
${[...neighbourDiscovery, ''].join('\n')}-A INPUT -p tcp -m tcp --dport 8080 -m conntrack --ctstate NEW -j ACCEPT
-A INPUT -p tcp -m tcp --dport 2222 -j REJECT --reject-with tcp-reset
-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -m conntrack --ctstate INVALID -j DROP
-A FORWARD -i eth0 -o eth1 -p tcp -m tcp --dport 80 -m conntrack --ctstate NEW -j ACCEPT
-A FORWARD -i eth0 -o eth1 -p udp -m udp --dport 5353:5354 -j ACCEPT
-A FORWARD -p udp -m udp --dport 9999 -j DROP
-A FORWARD -p tcp -m tcp --dport 23 -j REJECT --reject-with tcp-reset
-A FORWARD -p tcp -m tcp --dport 443 -j REJECT --reject-with ${v6 ? 'icmp6-port-unreachable' : 'icmp-port-unreachable'}
-A FORWARD -p tcp -m tcp --dport 8443 -j REJECT --reject-with ${v6 ? 'icmp6-adm-prohibited' : 'icmp-admin-prohibited'}
-A FORWARD -i eth0 -o eth1 ${icmp} ${echo} -j ACCEPT
COMMIT
`;
}

const BLOCKED = 0.4; // seconds a connect to a dropping port waits: one SYN, no retransmission
/** What the client does (all jobs at once, each job's steps in turn). */
function clientJobs(f: ReplayFamily) {
	const { client, host, server } = f;
	return [
		{ name: 'http server:80', kind: 'tcp', dst: server, port: 80, count: 8, request: 300, timeout: 2 },
		{ name: 'http host:8080', kind: 'tcp', dst: host, port: 8080, count: 6, request: 100, timeout: 2 },
		{ name: 'dnat host:8081 → server:80', kind: 'tcp', dst: host, port: 8081, count: 4, request: 50, timeout: 2 },
		{ name: 'dnat host:8082 → server:22 (dropped)', kind: 'tcp', dst: host, port: 8082, count: 1, request: 0, timeout: BLOCKED },
		{ name: 'tcp server:22 (dropped)', kind: 'tcp', dst: server, port: 22, count: 2, request: 0, timeout: BLOCKED },
		{ name: 'tcp server:23 (reset)', kind: 'tcp', dst: server, port: 23, count: 2, request: 0, timeout: BLOCKED },
		{ name: 'tcp server:443 (port unreachable)', kind: 'tcp', dst: server, port: 443, count: 2, request: 0, timeout: BLOCKED },
		{ name: 'tcp server:8443 (prohibited)', kind: 'tcp', dst: server, port: 8443, count: 2, request: 0, timeout: BLOCKED },
		{ name: 'tcp host:2222 (reset)', kind: 'tcp', dst: host, port: 2222, count: 2, request: 0, timeout: BLOCKED },
		{ name: 'tcp host:3306 (dropped)', kind: 'tcp', dst: host, port: 3306, count: 2, request: 0, timeout: BLOCKED },
		{ name: 'udp server:5353 (echo)', kind: 'udp', dst: server, port: 5353, count: 10, wait: 0.5 },
		{ name: 'udp server:5354 (closed port)', kind: 'udp', dst: server, port: 5354, count: 3, wait: 0.3 },
		{ name: 'udp server:9999 (dropped)', kind: 'udp', dst: server, port: 9999, count: 5, wait: 0 },
		{ name: 'udp host:5000 (dropped)', kind: 'udp', dst: host, port: 5000, count: 3, wait: 0 },
		{ name: 'stray FIN,ACK server:80 (invalid)', kind: 'stray', src: client, dst: server, port: 80, count: 2, flags: 0x11 },
		{ name: 'ping server', kind: 'ping', dst: server, count: 10, id: 0x5301 },
		{ name: 'ping host', kind: 'ping', dst: host, count: 10, id: 0x5302 },
		// IPv6 multicast on the link: all-nodes reaches the host's INPUT, a group it never joined does not.
		...(f.family === 6 ? [{ name: 'multicast (MLD report, udp to groups)', kind: 'multicast', dev: 'eth0', join: 'ff02::1:3', groups: ['ff02::1', 'ff02::1:3'], port: 5000 }] as const : []),
	] as const;
}

/** The servers: the web server behind the host, and the host's own service. */
const SERVER_SERVICES = { tcp: [{ port: 80, reply: 4000 }], udp: [5353] };
const HOST_SERVICES = { tcp: [{ port: 8080, reply: 2500 }], udp: [] };

/** Marks every packet of the family for tracing and notes when it got past INPUT, FORWARD, POSTROUTING. */
function traceAll(f: ReplayFamily): string {
	const mark = `meta nfproto ipv${f.family} meta nftrace set 1;`;
	return `table inet ${TRACE_TABLE} {
  chain pre { type filter hook prerouting priority -500; policy accept; ${mark} }
  chain out { type filter hook output priority -500; policy accept; ${mark} }
  chain in_end { type filter hook input priority 10000; policy accept; }
  chain fwd_end { type filter hook forward priority 10000; policy accept; }
  chain post_end { type filter hook postrouting priority 10000; policy accept; }
}
`;
}

/** The tools this proof needs beyond the kernel harness's own, that are not on this machine. */
export function missingTools(backend: 'nft' | 'legacy', family: ReplayFamily): string[] {
	const iptables = family.family === 6 ? 'ip6tables' : 'iptables';
	const tools = ['tcpdump', ...(backend === 'legacy' ? [`${iptables}-legacy-restore`, `${iptables}-legacy-save`] : [])];
	return tools.filter((tool) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', tool], { stdio: 'ignore' }).status !== 0);
}

// ---------------------------------------------------------------- processes

/** A long-running child; `ready` resolves when `readyLine` shows on stdout or stderr. */
interface Daemon {
	proc: ChildProcess;
	ready: Promise<void>;
	exited: Promise<string>;
}

function daemon(argv: string[], readyLine: RegExp, what: string): Daemon {
	const proc = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
	let output = '';
	let resolveReady!: () => void, rejectReady!: (e: Error) => void;
	const ready = new Promise<void>((res, rej) => { resolveReady = res; rejectReady = rej; });
	for (const stream of [proc.stdout!, proc.stderr!]) {
		createInterface({ input: stream }).on('line', (l) => {
			output += `${l}\n`;
			if (readyLine.test(l)) resolveReady();
		});
	}
	const timer = setTimeout(() => rejectReady(new Error(`${what} not ready after 5 s: ${output.trim()}`)), 5000);
	const exited = new Promise<string>((res) => {
		proc.on('close', (code, signal) => {
			clearTimeout(timer);
			rejectReady(new Error(`${what} exited (${code ?? signal}) before it was ready: ${output.trim()}`));
			res(output);
		});
	});
	proc.on('error', (e) => rejectReady(e));
	ready.then(() => clearTimeout(timer), () => {});
	return { proc, ready, exited };
}

function stop(d: Daemon | undefined, signal: NodeJS.Signals = 'SIGTERM'): void {
	if (d && d.proc.exitCode === null && d.proc.signalCode === null) d.proc.kill(signal);
}

function runAsync(argv: string[], timeoutMs: number): Promise<string> {
	return new Promise((res, rej) => {
		const proc = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
		let out = '', err = '';
		proc.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
		proc.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
		proc.on('error', rej);
		proc.on('close', (code, signal) => (code === 0 ? res(out) : rej(new Error(`${argv.join(' ')}: ${code ?? signal}: ${err.trim()}`))));
	});
}

// ---------------------------------------------------------------- the run

/** Where tcpdump listens: the client's eth0 (Ethernet), or every interface of the host (`-i any`, SLL2). */
export type CapturePoint = 'client' | 'host';

export interface TrafficRun {
	family: ReplayFamily;
	/** The capture (classic pcap). */
	capture: string;
	/** `netsleuth snapshot --netns HOST` taken once the rules were loaded. */
	snapshot: string;
	/** Every nf_tables trace event of the host namespace, in order. */
	events: RawTraceEvent[];
	layout: ReturnType<typeof parseNftListing>;
	targets: ReturnType<typeof parseRuleTargets>;
	/** `iptables-save -c` (ip6tables-save -c) of the host after the traffic. */
	counters: string;
	/** What each client job saw (e.g. "ok 4000", "Connection refused", "timeout"). */
	client: Record<string, string[]>;
	/** tcpdump's closing lines (packets captured / dropped by kernel). */
	tcpdump: string;
}

/**
 * Loads the rules in the host, captures on the client while the traffic runs, and reads the kernel's
 * account. With the legacy backend the rules themselves are not traced (only nf_tables is): the trace
 * then says which packets got past every hook, and the counters which rules dropped the rest.
 */
export async function runTraffic(topo: Topology, dir: string, backend: 'nft' | 'legacy', at: CapturePoint, family: ReplayFamily): Promise<TrafficRun> {
	const iptables = `${family.family === 6 ? 'ip6tables' : 'iptables'}${backend === 'nft' ? '' : '-legacy'}`;
	runInNs(topo.host, `${iptables}-restore`, [], { input: replayRules(family) });
	runInNs(topo.host, 'nft', ['-f', '-'], { input: traceAll(family) });
	const layout = parseNftListing(runInNs(topo.host, 'nft', ['-a', 'list', 'ruleset']));
	const targets = parseRuleTargets(runInNs(topo.host, `${iptables}-save`, []));
	const snapshot = join(dir, 'host.snapshot');
	run(process.execPath, [join(REPO, 'bin', 'netsleuth.js'), 'snapshot', '--netns', topo.host, '-o', snapshot], { timeoutMs: 30_000 });

	const capture = join(dir, `${at}.pcap`);
	const listen = at === 'client' ? [topo.client, topo.clientIf.name] : [topo.host, 'any'];
	const inNs = (ns: string, ...argv: string[]) => ['ip', 'netns', 'exec', ns, ...argv];
	const observer = startObserver({ traceNs: topo.host, sniff: [], listen: [], idleMs: 150, minMs: 200, maxMs: 3000 });
	let tcpdump: Daemon | undefined, servers: Daemon[] = [];
	try {
		await observer.ready;
		tcpdump = daemon(inNs(listen[0]!, 'tcpdump', '-i', listen[1]!, '-U', '--immediate-mode', '-s', '1600', '-B', '8192', '-n', '-Z', 'root', '-w', capture), /listening on/, 'tcpdump');
		servers = [
			daemon(inNs(topo.server, python3(), '-c', SERVE_PY, JSON.stringify({ family: family.family, ...SERVER_SERVICES })), /^ready$/, 'server'),
			daemon(inNs(topo.host, python3(), '-c', SERVE_PY, JSON.stringify({ family: family.family, ...HOST_SERVICES })), /^ready$/, 'host service'),
		];
		await Promise.all([tcpdump.ready, ...servers.map((s) => s.ready)]);
		const out = await runAsync(inNs(topo.client, python3(), '-c', CLIENT_PY, JSON.stringify(clientJobs(family))), 15_000);
		const client = JSON.parse(out) as Record<string, string[]>;
		await new Promise((r) => setTimeout(r, 100)); // the last ACKs and FINs
		stop(tcpdump, 'SIGINT');
		const tcpdumpOutput = await tcpdump.exited;
		observer.go();
		const lines = await observer.done;
		const errors = lines.filter((l) => l.kind === 'error');
		if (errors.length > 0) throw new Error(`trace observer: ${JSON.stringify(errors)}`);
		const events = lines.filter((l): l is RawTraceEvent => l.kind === 'trace');
		const counters = runInNs(topo.host, `${iptables}-save`, ['-c']);
		return { family, capture, snapshot, events, layout, targets, counters, client, tcpdump: tcpdumpOutput };
	} finally {
		stop(tcpdump, 'SIGINT');
		for (const s of servers) {
			s.proc.stdin!.end();
			stop(s);
		}
		if (observer.proc.exitCode === null && observer.proc.signalCode === null) observer.proc.kill('SIGKILL');
		await Promise.all([...(tcpdump ? [tcpdump.exited] : []), ...servers.map((s) => s.exited)]);
	}
}

// ---------------------------------------------------------------- the kernel's account per packet

/** 'stopped': it got past no hook's end, and no nf_tables rule dropped it (a legacy iptables rule did). */
export type KernelFate = 'delivered' | 'forwarded' | 'sent' | 'dropped' | 'rejected' | 'stopped';

export interface KernelPacket {
	/** The host's first hook for it: arrived (prerouting) or generated by the host (output). */
	origin: 'arrived' | 'local';
	fate: KernelFate;
	/** The rule or policy that dropped it; null when it passed. */
	decidedBy: KernelHit | null;
	/** Its conntrack state as the filter table saw it (null: not traced there, e.g. legacy rules). */
	ct: string | null;
	hits: KernelHit[];
}

/**
 * The identity of a packet of the family that survives forwarding and NAT (see the file's head); null for
 * another family. ip: the IP header (IPv6: its fixed 40 bytes); l4: what follows the extension headers.
 */
function packetKey(family: 4 | 6, ip: Uint8Array, l4: Uint8Array): string | null {
	const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
	if (family === 6) {
		if (ip.length < 40 || ip[0]! >> 4 !== 6) return null;
		const head = `${ip[6]}:${hex(ip.subarray(1, 4))}:${hex(ip.subarray(4, 6))}`;
		if (ip[6] === 6) return `${head}:${hex(l4.subarray(4, 14))}`;
		if (ip[6] === 17) return `${head}:${hex(l4.subarray(8, 16))}`;
		return `${head}:${hex(l4.subarray(0, 2))}${hex(l4.subarray(4, 20))}`;
	}
	if (ip.length < 20 || ip[0]! >> 4 !== 4) return null;
	const proto = ip[9]!;
	const head = `${proto}:${hex(ip.subarray(4, 6))}:${hex(ip.subarray(2, 4))}`;
	if (proto === 6) return `${head}:${hex(l4.subarray(4, 14))}`;
	if (proto === 17) return `${head}:${hex(l4.subarray(8, 16))}`;
	if (proto === 1 && (l4[0] === 0 || l4[0] === 8)) return `${head}:${hex(l4.subarray(0, 2))}${hex(l4.subarray(4, 8))}`;
	if (proto === 1) return `${head}:${hex(l4.subarray(0, 2))}:${hex(l4.subarray(12, 14))}:${hex(l4.subarray(10, 12))}`;
	return head;
}

const CT_STATES: Record<number, string> = { 1: 'INVALID', 2: 'ESTABLISHED', 4: 'RELATED', 8: 'NEW', 64: 'UNTRACKED' };

const DROP = 0;
const isDrop = (e: RawTraceEvent) =>
	(e.type === 'policy' && e.policy === DROP) || (e.handle !== undefined && e.verdict !== undefined && e.verdict >= 0 && (e.verdict & 0xff) === DROP);

/**
 * Every packet the host traced, by key, in order. A trace id names one skb, but ids repeat (the same
 * flow and a reused buffer), so a packet starts at its first event in the marking chains (pre / out);
 * a later hook's first event (it carries the headers) finds its packet by key, and events without
 * headers belong to the packet their trace id last showed.
 */
export function kernelPackets(run: Pick<TrafficRun, 'family' | 'events' | 'layout' | 'targets'>): Map<string, KernelPacket[]> {
	const { family } = run.family;
	// The ip6 tables' events carry family 10 (NFPROTO_IPV6), the ip tables' 2.
	const nfproto = family === 6 ? 10 : 2;
	const targets = family === 6 ? { ip6: run.targets } : { ip: run.targets };
	const groups: Array<{ key: string; events: RawTraceEvent[] }> = [];
	const current = new Map<string, { key: string; events: RawTraceEvent[] }>();
	const latest = new Map<string, { key: string; events: RawTraceEvent[] }>();
	for (const e of run.events) {
		const id = e.id ?? '';
		const key = e.nh !== undefined && e.th !== undefined ? packetKey(family, Buffer.from(e.nh, 'hex'), Buffer.from(e.th, 'hex')) : null;
		if (key !== null && e.family === 1 && e.table === TRACE_TABLE && (e.chain === 'pre' || e.chain === 'out')) {
			const g = { key, events: [] as RawTraceEvent[] };
			groups.push(g);
			current.set(id, g);
			latest.set(key, g);
		} else if (key !== null && current.get(id)?.key !== key && latest.has(key)) {
			current.set(id, latest.get(key)!);
		}
		current.get(id)?.events.push(e);
	}
	const byKey = new Map<string, KernelPacket[]>();
	for (const g of groups) {
		const ours = (chain: string) => g.events.some((e) => e.family === 1 && e.table === TRACE_TABLE && e.chain === chain);
		const origin = ours('out') ? 'local' : 'arrived';
		const drop = g.events.find((e) => e.family === nfproto && isDrop(e));
		const decidedBy = drop ? eventsToHits([drop], run.layout, targets)[0] ?? null : null;
		let fate: KernelFate;
		if (drop) fate = decidedBy?.target === 'REJECT' ? 'rejected' : 'dropped';
		else if (ours('in_end')) fate = 'delivered';
		else if (ours('post_end')) fate = origin === 'local' ? 'sent' : 'forwarded';
		else fate = 'stopped';
		// A packet without a connection (not even the untracked one) is what `ct state invalid` matches.
		const filterEvents = g.events.filter((e) => e.family === nfproto && e.table === 'filter');
		const ctEvent = filterEvents.find((e) => e.ctState !== undefined) ?? g.events.find((e) => e.ctState !== undefined);
		const ct = ctEvent ? CT_STATES[ctEvent.ctState!] ?? `bits ${ctEvent.ctState}` : filterEvents.length > 0 ? 'INVALID' : null;
		const list = byKey.get(g.key) ?? [];
		list.push({ origin, fate, decidedBy, ct, hits: eventsToHits(g.events, run.layout, targets) });
		byKey.set(g.key, list);
	}
	return byKey;
}

// ---------------------------------------------------------------- capture and counters

export interface CapturedFrame {
	/** The packet's identity (packetKey); null when it is not of the run's family (e.g. ARP). */
	key: string | null;
	/** A cooked capture's "outgoing" (the host sent it out, as opposed to received it). */
	outgoing: boolean;
}

const LINKTYPE_ETHERNET = 1;
const LINKTYPE_LINUX_SLL2 = 276;
const SLL2_OUTGOING = 4;

/** The frames of a classic pcap (microsecond or nanosecond, either byte order), Ethernet or SLL2. */
export function capturedFrames(path: string, family: 4 | 6): CapturedFrame[] {
	const b = readFileSync(path);
	const magic = b.readUInt32LE(0);
	const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
	if (!le && b.readUInt32BE(0) !== 0xa1b2c3d4 && b.readUInt32BE(0) !== 0xa1b23c4d) throw new Error(`${path}: not a classic pcap`);
	const u32 = (o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
	const linkType = u32(20);
	if (linkType !== LINKTYPE_ETHERNET && linkType !== LINKTYPE_LINUX_SLL2) throw new Error(`${path}: link type ${linkType}`);
	const frames: CapturedFrame[] = [];
	for (let o = 24; o + 16 <= b.length;) {
		const caplen = u32(o + 8);
		const f = b.subarray(o + 16, o + 16 + caplen);
		o += 16 + caplen;
		// Ethernet: EtherType at 12, IP at 14. SLL2: protocol at 0, packet type at 10, IP at 20.
		const [typeAt, ipAt] = linkType === LINKTYPE_ETHERNET ? [12, 14] : [0, 20];
		const ip = f.subarray(ipAt);
		const ours = f.length >= ipAt + 20 && f.readUInt16BE(typeAt) === (family === 6 ? 0x86dd : 0x0800);
		frames.push({
			key: ours ? packetKey(family, ip, transportOf(family, ip)) : null,
			outgoing: linkType === LINKTYPE_LINUX_SLL2 && f[10] === SLL2_OUTGOING,
		});
	}
	return frames;
}

/** Where the transport header starts: after IPv4's options, after IPv6's extension headers. */
function transportOf(family: 4 | 6, ip: Uint8Array): Uint8Array {
	if (family === 4) return ip.subarray((ip[0]! & 0x0f) * 4);
	const EXTENSIONS = new Set([0, 43, 60]); // hop-by-hop (MLD's router alert), routing, destination options
	let next = ip[6]!, at = 40;
	while (EXTENSIONS.has(next) && at + 2 <= ip.length) {
		next = ip[at]!;
		at += (ip[at + 1]! + 1) * 8;
	}
	return ip.subarray(at);
}

export interface RuleCounter {
	table: string;
	chain: string;
	/** 1-based position; null for a built-in chain's policy. */
	rule: number | null;
	target: string | null;
	packets: number;
}

/** The packet counters of `iptables-save -c`: every rule, and every built-in chain's policy. */
export function parseCounters(save: string): RuleCounter[] {
	const out: RuleCounter[] = [];
	const positions = new Map<string, number>();
	let table = '';
	for (const line of save.split('\n')) {
		let m: RegExpExecArray | null;
		if (line.startsWith('*')) table = line.slice(1).trim();
		else if ((m = /^:(\S+) (\S+) \[(\d+):\d+\]/.exec(line)) && m[2] !== '-') {
			out.push({ table, chain: m[1]!, rule: null, target: m[2]!, packets: Number(m[3]) });
		} else if ((m = /^\[(\d+):\d+\] -A (\S+) (.*)$/.exec(line))) {
			const chain = m[2]!;
			const n = (positions.get(`${table} ${chain}`) ?? 0) + 1;
			positions.set(`${table} ${chain}`, n);
			const target = /(?:^| )-[jg] (\S+)/.exec(m[3]!)?.[1] ?? null;
			out.push({ table, chain, rule: n, target, packets: Number(m[1]) });
		}
	}
	return out;
}
