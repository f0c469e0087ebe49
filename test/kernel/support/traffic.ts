// Real traffic through a firewall namespace, captured on the client (or on the firewall itself with
// `tcpdump -i any`), with the kernel's own account of every packet: the nf_tables trace of each packet
// the host saw (which rule decided, whether it got past INPUT / FORWARD / POSTROUTING, its conntrack
// state) and the per-rule counters. The replay proof compares netsleuth's `pcap --trace` with this.
//
//   client 10.2.67.113 ── eth0 host 10.2.67.1 / 10.9.0.1 eth1 ── server 10.9.0.2
//
// The host routes between client and server (forward path) and serves tcp/8080 itself (input path and
// its answers on the output path); tcp/8081 is DNATed to the server's port 80.
//
// How a captured packet is found in the trace: the trace events carry the packet's headers as the hook
// saw them. Addresses, ports and TTL change on the way (NAT, forwarding), so a packet is known by what
// stays: protocol, IP id, total length, and the TCP sequence numbers and flags / the UDP payload's start /
// the ICMP echo id and sequence / an ICMP error's quoted IP id. The n-th capture of a key is the n-th
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

export const CLIENT = '10.2.67.113';
export const HOST = '10.2.67.1';
export const SERVER = '10.9.0.2';

/** IPv4 only, and IPv6 off, so the capture holds the test traffic and ARP, no ND or MLD. */
const NO_V6 = { 'net.ipv6.conf.all.disable_ipv6': 1, 'net.ipv6.conf.default.disable_ipv6': 1 };
export const REPLAY_TOPOLOGY: TopologySpec = {
	client: { addrs: [`${CLIENT}/24`], sysctls: NO_V6 },
	host: { clientIf: { addrs: [`${HOST}/24`] }, serverIf: { addrs: ['10.9.0.1/24'] }, sysctls: NO_V6 },
	server: { addrs: [`${SERVER}/24`], sysctls: NO_V6 },
};

/** A stateful firewall: conntrack decides replies, some ports dropped, some refused, one DNAT. */
export const REPLAY_RULES = `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -d ${HOST}/32 -i eth0 -p tcp -m tcp --dport 8081 -j DNAT --to-destination ${SERVER}:80
-A PREROUTING -d ${HOST}/32 -i eth0 -p tcp -m tcp --dport 8082 -j DNAT --to-destination ${SERVER}:22
COMMIT
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p icmp -m icmp --icmp-type 8 -j ACCEPT
-A INPUT -p tcp -m tcp --dport 8080 -m conntrack --ctstate NEW -j ACCEPT
-A INPUT -p tcp -m tcp --dport 2222 -j REJECT --reject-with tcp-reset
-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -m conntrack --ctstate INVALID -j DROP
-A FORWARD -i eth0 -o eth1 -p tcp -m tcp --dport 80 -m conntrack --ctstate NEW -j ACCEPT
-A FORWARD -i eth0 -o eth1 -p udp -m udp --dport 5353:5354 -j ACCEPT
-A FORWARD -p udp -m udp --dport 9999 -j DROP
-A FORWARD -p tcp -m tcp --dport 23 -j REJECT --reject-with tcp-reset
-A FORWARD -p tcp -m tcp --dport 443 -j REJECT --reject-with icmp-port-unreachable
-A FORWARD -i eth0 -o eth1 -p icmp -m icmp --icmp-type 8 -j ACCEPT
COMMIT
`;

const BLOCKED = 0.4; // seconds a connect to a dropping port waits: one SYN, no retransmission
/** What the client does (all jobs at once, each job's steps in turn). */
export const CLIENT_JOBS = [
	{ name: 'http server:80', kind: 'tcp', dst: SERVER, port: 80, count: 8, request: 300, timeout: 2 },
	{ name: 'http host:8080', kind: 'tcp', dst: HOST, port: 8080, count: 6, request: 100, timeout: 2 },
	{ name: 'dnat host:8081 → server:80', kind: 'tcp', dst: HOST, port: 8081, count: 4, request: 50, timeout: 2 },
	{ name: 'dnat host:8082 → server:22 (dropped)', kind: 'tcp', dst: HOST, port: 8082, count: 1, request: 0, timeout: BLOCKED },
	{ name: 'tcp server:22 (dropped)', kind: 'tcp', dst: SERVER, port: 22, count: 2, request: 0, timeout: BLOCKED },
	{ name: 'tcp server:23 (reset)', kind: 'tcp', dst: SERVER, port: 23, count: 2, request: 0, timeout: BLOCKED },
	{ name: 'tcp server:443 (port unreachable)', kind: 'tcp', dst: SERVER, port: 443, count: 2, request: 0, timeout: BLOCKED },
	{ name: 'tcp host:2222 (reset)', kind: 'tcp', dst: HOST, port: 2222, count: 2, request: 0, timeout: BLOCKED },
	{ name: 'tcp host:3306 (dropped)', kind: 'tcp', dst: HOST, port: 3306, count: 2, request: 0, timeout: BLOCKED },
	{ name: 'udp server:5353 (echo)', kind: 'udp', dst: SERVER, port: 5353, count: 10, wait: 0.5 },
	{ name: 'udp server:5354 (closed port)', kind: 'udp', dst: SERVER, port: 5354, count: 3, wait: 0.3 },
	{ name: 'udp server:9999 (dropped)', kind: 'udp', dst: SERVER, port: 9999, count: 5, wait: 0 },
	{ name: 'udp host:5000 (dropped)', kind: 'udp', dst: HOST, port: 5000, count: 3, wait: 0 },
	{ name: 'stray FIN,ACK server:80 (invalid)', kind: 'stray', src: CLIENT, dst: SERVER, port: 80, count: 2, flags: 0x11 },
	{ name: 'ping server', kind: 'ping', dst: SERVER, count: 10, id: 0x5301 },
	{ name: 'ping host', kind: 'ping', dst: HOST, count: 10, id: 0x5302 },
] as const;

/** The servers: the web server behind the host, and the host's own service. */
const SERVER_SERVICES = { tcp: [{ port: 80, reply: 4000 }], udp: [5353] };
const HOST_SERVICES = { tcp: [{ port: 8080, reply: 2500 }], udp: [] };

/** Marks every IPv4 packet for tracing and notes when it got past INPUT, FORWARD, POSTROUTING. */
export const TRACE_ALL = `table inet ${TRACE_TABLE} {
  chain pre { type filter hook prerouting priority -500; policy accept; meta nfproto ipv4 meta nftrace set 1; }
  chain out { type filter hook output priority -500; policy accept; meta nfproto ipv4 meta nftrace set 1; }
  chain in_end { type filter hook input priority 10000; policy accept; }
  chain fwd_end { type filter hook forward priority 10000; policy accept; }
  chain post_end { type filter hook postrouting priority 10000; policy accept; }
}
`;

/** The tools this proof needs beyond the kernel harness's own, that are not on this machine. */
export function missingTools(backend: 'nft' | 'legacy'): string[] {
	const tools = ['tcpdump', ...(backend === 'legacy' ? ['iptables-legacy-restore', 'iptables-legacy-save'] : [])];
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
	/** The capture (classic pcap). */
	capture: string;
	/** `netsleuth snapshot --netns HOST` taken once the rules were loaded. */
	snapshot: string;
	/** Every nf_tables trace event of the host namespace, in order. */
	events: RawTraceEvent[];
	layout: ReturnType<typeof parseNftListing>;
	targets: ReturnType<typeof parseRuleTargets>;
	/** `iptables-save -c` of the host after the traffic. */
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
export async function runTraffic(topo: Topology, dir: string, backend: 'nft' | 'legacy', at: CapturePoint): Promise<TrafficRun> {
	const iptables = backend === 'nft' ? 'iptables' : 'iptables-legacy';
	runInNs(topo.host, `${iptables}-restore`, [], { input: REPLAY_RULES });
	runInNs(topo.host, 'nft', ['-f', '-'], { input: TRACE_ALL });
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
			daemon(inNs(topo.server, python3(), '-c', SERVE_PY, JSON.stringify(SERVER_SERVICES)), /^ready$/, 'server'),
			daemon(inNs(topo.host, python3(), '-c', SERVE_PY, JSON.stringify(HOST_SERVICES)), /^ready$/, 'host service'),
		];
		await Promise.all([tcpdump.ready, ...servers.map((s) => s.ready)]);
		const out = await runAsync(inNs(topo.client, python3(), '-c', CLIENT_PY, JSON.stringify(CLIENT_JOBS)), 15_000);
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
		return { capture, snapshot, events, layout, targets, counters, client, tcpdump: tcpdumpOutput };
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

/** The identity of an IPv4 packet that survives forwarding and NAT (see the file's head); null if not IPv4. */
export function packetKey(ip: Uint8Array, l4: Uint8Array): string | null {
	if (ip.length < 20 || ip[0]! >> 4 !== 4) return null;
	const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
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
export function kernelPackets(run: Pick<TrafficRun, 'events' | 'layout' | 'targets'>): Map<string, KernelPacket[]> {
	const groups: Array<{ key: string; events: RawTraceEvent[] }> = [];
	const current = new Map<string, { key: string; events: RawTraceEvent[] }>();
	const latest = new Map<string, { key: string; events: RawTraceEvent[] }>();
	for (const e of run.events) {
		const id = e.id ?? '';
		const key = e.nh !== undefined && e.th !== undefined ? packetKey(Buffer.from(e.nh, 'hex'), Buffer.from(e.th, 'hex')) : null;
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
		const drop = g.events.find((e) => e.family === 2 && isDrop(e));
		const decidedBy = drop ? eventsToHits([drop], run.layout, { ip: run.targets })[0] ?? null : null;
		let fate: KernelFate;
		if (drop) fate = decidedBy?.target === 'REJECT' ? 'rejected' : 'dropped';
		else if (ours('in_end')) fate = 'delivered';
		else if (ours('post_end')) fate = origin === 'local' ? 'sent' : 'forwarded';
		else fate = 'stopped';
		// A packet without a connection (not even the untracked one) is what `ct state invalid` matches.
		const filterEvents = g.events.filter((e) => e.family === 2 && e.table === 'filter');
		const ctEvent = filterEvents.find((e) => e.ctState !== undefined) ?? g.events.find((e) => e.ctState !== undefined);
		const ct = ctEvent ? CT_STATES[ctEvent.ctState!] ?? `bits ${ctEvent.ctState}` : filterEvents.length > 0 ? 'INVALID' : null;
		const list = byKey.get(g.key) ?? [];
		list.push({ origin, fate, decidedBy, ct, hits: eventsToHits(g.events, run.layout, { ip: run.targets }) });
		byKey.set(g.key, list);
	}
	return byKey;
}

// ---------------------------------------------------------------- capture and counters

export interface CapturedFrame {
	/** The packet's identity (packetKey); null when it is not IPv4 (ARP). */
	key: string | null;
	/** A cooked capture's "outgoing" (the host sent it out, as opposed to received it). */
	outgoing: boolean;
}

const LINKTYPE_ETHERNET = 1;
const LINKTYPE_LINUX_SLL2 = 276;
const SLL2_OUTGOING = 4;

/** The frames of a classic pcap (microsecond or nanosecond, either byte order), Ethernet or SLL2. */
export function capturedFrames(path: string): CapturedFrame[] {
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
		const isIPv4 = f.length >= ipAt + 20 && f.readUInt16BE(typeAt) === 0x0800;
		frames.push({
			key: isIPv4 ? packetKey(ip, ip.subarray((ip[0]! & 0x0f) * 4)) : null,
			outgoing: linkType === LINKTYPE_LINUX_SLL2 && f[10] === SLL2_OUTGOING,
		});
	}
	return frames;
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
