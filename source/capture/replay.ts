import { type Classification, ConnectionTable, type CtExtras } from '../conntrack/table.js';
import { type QuotedHeader, type Tuple, tupleKey, tupleOf } from '../conntrack/tuple.js';
import { type Ip, parseIp } from '../packet/address.js';
import type { CtState, Packet, PacketJson } from '../packet/packet.js';
import type { Fate, Trace, Verdict } from '../trace/model.js';
import { type MemoHint, newMemoHint } from '../trace/decision-memo.js';
import type { HostModel } from '../trace/pipeline.js';
import type { DecodedPacket } from './decode/packet.js';
import { replayTracer } from './replay-tracer.js';
import type { CommonFrame } from './common-frame.js';
import type { Frame } from './frame.js';
import { commonEnginePacket, type LinkInfo, linkInfoOf, ownConnection, PENDING_CONNECTION, toEnginePacket, withoutIp } from './to-packet.js';

export type ReplayFate = Fate | 'skipped';

/** One captured frame replayed against the host (ARCHITECTURE.md §3 `pcap --trace`). */
export interface ReplayResult {
	/** The frame number. */
	readonly n: number;
	readonly fate: ReplayFate;
	readonly verdict: Verdict | null;
	readonly ct: CtState | null;
	readonly flow: number | null;
	/** For skipped frames: why netsleuth cannot trace it. */
	readonly why?: string;
	/** Every rule and policy the packet met (ReplayOptions.hits), as `trace --json`'s hits. */
	readonly hits?: ReplayTrace['hits'];
}

export interface RuleCount {
	readonly table: string;
	readonly chain: string;
	readonly rule: number | null;
	readonly target: string | null;
	count: number;
}

/** The last line of `pcap --trace --json`. */
export interface ReplaySummary {
	readonly packets: number;
	readonly flows: number;
	readonly by_fate: Record<string, number>;
	/** Flows by the fate of their first packet. */
	readonly flows_by_fate: Record<string, number>;
	readonly by_rule: readonly RuleCount[];
	/** TCP flows whose three-way handshake was not seen to the end. */
	readonly incomplete_flows: number;
	/** What the replay could not know and took for granted. */
	readonly assumptions: readonly string[];
}

/** What the replay reads of a trace. */
export type ReplayTrace = Pick<Trace, 'fate' | 'verdict' | 'path' | 'hits' | 'packet' | 'final'> & {
	readonly reply?: unknown;
	/** final.state is UNTRACKED, when the tracer knows it without making `final` (replay-tracer.ts). */
	readonly untracked?: boolean;
	/** It met CONNMARK, when the tracer knows it without looking through `hits` (replay-tracer.ts). */
	readonly setsConnmark?: boolean;
};

/**
 * Traces one packet: replayTracer (decisions without traces, remembered per key; the same answers as
 * tracePacket) unless another is handed in (tracePacket, to keep the traces). The one place the
 * Replayer calls the engine.
 */
export type PacketTracer = (host: HostModel, packet: Packet, options: TraceOptions) => ReplayTrace;

export interface TraceOptions {
	readonly isReply?: boolean;
	/** Where the packet's connection keeps its direction's last decision (DecisionMemo.decide). */
	readonly hint?: MemoHint;
}

export interface ReplayOptions {
	/** The arrival interface of every packet (--in), over what the capture says. */
	readonly in?: string;
	readonly tracer?: PacketTracer;
	/** Each traced packet's result carries its hits (`pcap --trace --json --hits`). */
	readonly hits?: boolean;
}

const PASSED: ReadonlySet<string> = new Set(['delivered', 'forwarded', 'sent']);
/** How many forwarded packets are remembered, and for how long (capture seconds), to recognise their second capture. */
const FORWARDED_KEPT = 4096;
const COPY_WINDOW = 1;
/** Verdict objects whose count is found without a text key (bounded: a decision made anew has its own). */
const RULES_BY_VERDICT = 4096;
const ASSUMPTIONS = [
	'TCP sequence and window checks (tcp_in_window) are not simulated: a packet the kernel finds out of window is not INVALID here',
	'checksums are not verified (nf_conntrack_checksum): a packet with a bad checksum is not INVALID here',
	'IP fragments are skipped: the kernel reassembles them before conntrack and the rules see the whole datagram once',
	'conntrack helpers (ftp, sip, …) and their expected connections are not simulated',
	'SCTP and DCCP are tracked as generic protocols (their state machines are not simulated)',
	'a packet captured leaving the host is traced as arriving by the interface the route back to its source leaves by',
];

/**
 * Replays a capture against a host with a simulated conntrack table: each decoded frame becomes the
 * engine's packet, arrives where the capture (or --in, or routing) says, is classified by the
 * connection table, traced, and then committed to the table as the kernel would.
 */
export class Replayer {
	readonly table: ConnectionTable;
	private readonly linkInfo: LinkInfo;
	private readonly tracer: PacketTracer;
	private readonly withHits: boolean;
	private readonly own: Set<number | string>;
	private readonly ownMacs: Set<string>;
	/** Forwarded packets as they arrived (tuple and IP id), with their capture time. */
	private readonly forwarded = new Map<string, number>();
	private now = 0;
	private packets = 0;
	private readonly byFate = new Map<string, number>();
	private readonly byRule = new Map<string, RuleCount>();
	/** The count of a verdict object (a remembered decision's is shared by its packets): no text key per packet. */
	private readonly ruleOf = new Map<Verdict, RuleCount>();
	/** Per flow (index flow - 1): its first fate, whether it is TCP, whether its handshake completed. */
	private readonly flows: { fate: ReplayFate; tcp: boolean; complete: boolean }[] = [];

	constructor(
		private readonly host: HostModel,
		options: ReplayOptions = {},
	) {
		this.table = new ConnectionTable(host.sysctl);
		this.linkInfo = linkInfoOf(host, options.in);
		this.tracer = options.tracer ?? replayTracer(host);
		this.withHits = options.hits === true;
		this.own = new Set(host.facts.addresses.map((a) => addressKey(a.ip)));
		this.ownMacs = new Set((host.links?.links ?? []).flatMap((l) => (l.mac !== undefined && l.mac !== '00:00:00:00:00:00' ? [l.mac.toLowerCase()] : [])));
	}

	/** Classifies with the simulated conntrack, traces, commits the connection if the packet passed. */
	replay(decoded: DecodedPacket): ReplayResult {
		const frame = decoded.frame;
		if (frame.hasTs) this.now = frame.sec + frame.nsec / 1e9;
		const unfit = untraceable(decoded);
		if (unfit !== undefined) return this.count({ n: frame.n, fate: 'skipped', verdict: null, ct: null, flow: null, why: unfit });
		const packet = toEnginePacket(decoded, this.linkInfo, false);
		const sll = decoded.sll;
		const ip = decoded.ip!;
		const t = decoded.transport;
		const copy = copyOf(ip.kind === 'ipv4' ? ip.id : -1, frame.len - ip.offset, t?.kind === 'tcp' ? t.seq : -1, t?.kind === 'tcp' ? t.ack : -1);
		const leaving = sll !== undefined ? sll.pktType === 4 : decoded.eth !== undefined && this.ownMacs.has(decoded.eth.src);
		return this.replayPacket(frame.n, packet, extrasOf(decoded), leaving, sll !== undefined, copy);
	}

	/** replay() for a frame CommonFrame read (Ethernet, IPv4, TCP or UDP): the same result, without decoding it. */
	replayCommon(frame: Frame, common: CommonFrame): ReplayResult {
		if (frame.hasTs) this.now = frame.sec + frame.nsec / 1e9;
		const packet = commonEnginePacket(frame, common, this.linkInfo);
		const tcp = common.proto === 6;
		const copy = copyOf(common.id, frame.len - (common.ipAt - frame.start), tcp ? common.seq : -1, tcp ? common.ack : -1);
		return this.replayPacket(frame.n, packet, NO_EXTRAS, this.ownMacs.size !== 0 && this.ownMacs.has(common.srcMac), false, copy);
	}

	/**
	 * The replay of frame n, made the engine's packet: `leaving`, it was captured leaving the host; `cooked`,
	 * by a cooked capture (SLL), which says so; `copy`, what tells it from another copy of its tuple.
	 */
	private replayPacket(n: number, packet: Packet, extras: CtExtras, leaving: boolean, cooked: boolean, copy: CopyId): ReplayResult {
		const place = this.place(packet, extras, leaving, cooked, copy);
		if (place.skip !== undefined) return this.count({ n, fate: 'skipped', verdict: null, ct: null, flow: null, why: place.skip });
		const c = this.table.classify(packet, extras, this.now);
		packet.ctState = c.state;
		packet.ctStateGiven = true;
		if (c.connection !== undefined) packet.ct = c.connection;
		else if (packet.ct === PENDING_CONNECTION) packet.ct = ownConnection(packet);
		if (c.entry !== undefined) packet.ctmark = c.entry.ctmark;
		const trace = this.trace(packet, c);
		const untracked = trace.untracked ?? trace.final.state === 'UNTRACKED';
		const passed = PASSED.has(trace.fate);
		const reached = !untracked && (passed || !stoppedBeforeConntrack(trace, packet));
		// The translation matters to a connection being made (commit); `final` is read only then.
		const ctmark = ctmarkAfter(trace, packet);
		const entry = this.table.commit(c, passed && c.entry === undefined ? { reached, passed, ctmark, ...translation(c, trace) } : { reached, passed, ctmark });
		if (trace.reply !== undefined && reached && c.state !== 'INVALID') this.table.expectAnswer(refusedTuples(c, trace), c.flow, this.now);
		this.noteFlow(c, trace.fate, packet.proto === 6, entry?.handshake === true);
		if (trace.fate === 'forwarded' && !place.leaving) this.noteForwarded(c.tuple, copy);
		const ct = untracked ? 'UNTRACKED' : c.state;
		return this.count(this.withHits ? { n, fate: trace.fate, verdict: trace.verdict, ct, flow: c.flow, hits: trace.hits } : { n, fate: trace.fate, verdict: trace.verdict, ct, flow: c.flow }, trace.verdict);
	}

	summary(): ReplaySummary {
		const flowsByFate: Record<string, number> = {};
		for (const f of this.flows) flowsByFate[f.fate] = (flowsByFate[f.fate] ?? 0) + 1;
		return {
			packets: this.packets,
			flows: this.flows.length,
			by_fate: Object.fromEntries(this.byFate),
			flows_by_fate: flowsByFate,
			by_rule: [...this.byRule.values()].sort((a, b) => b.count - a.count),
			incomplete_flows: this.flows.filter((f) => f.tcp && !f.complete).length,
			assumptions: [...ASSUMPTIONS, ...(this.table.assumed.length > 0 ? [`conntrack defaults (not in the host state): ${this.table.assumed.join(', ')}`] : [])],
		};
	}

	/**
	 * Where a captured packet entered the host. A packet from one of the host's addresses was sent by it, and
	 * so was the kernel's answer to a refused packet (a RST for a forwarded packet comes from the refused
	 * packet's destination). A packet captured leaving the host (a cooked capture's "outgoing", or an Ethernet
	 * frame from one of the host's MACs) is traced as it arrived: NAT undone by the connection it belongs to,
	 * arriving where the route back to its source leads; unless its arrival was captured too (tcpdump -i any),
	 * and the host's own packets coming back in over lo were traced when sent. Says why a frame is skipped.
	 */
	private place(packet: Packet, extras: CtExtras, leaving: boolean, cooked: boolean, copy: CopyId): { skip?: string; leaving: boolean } {
		// (A host without addresses, as a dump alone gives, has no packet of its own: no look-up then.)
		const own = this.own.size !== 0 && this.own.has(addressKey(packet.src));
		if (this.table.isAnswer(packet, extras, this.now)) {
			sentByHost(packet);
			return placed(leaving);
		}
		if (leaving) {
			const seen = tupleOf({ ...headerOf(packet), icmpId: extras.icmpId });
			const arrived = this.table.arrivedAs(seen, this.now);
			// Each packet captured arriving pairs with one copy captured leaving (a retransmission is another packet).
			const key = copyKey(arrived ?? seen, copy);
			const at = this.forwarded.get(key);
			if (at !== undefined && this.forwarded.delete(key) && at >= this.now - COPY_WINDOW) return { skip: 'captured again leaving the host: traced where it arrived', leaving };
			if (arrived !== undefined || !own) {
				arrivedAs(packet, arrived);
				return placed(leaving);
			}
		} else if (cooked && own) {
			return { skip: 'the host’s own packet captured coming back in (over lo): traced when it was sent', leaving };
		}
		if (own) sentByHost(packet);
		return placed(leaving);
	}

	/** Remembers a forwarded packet as it arrived, for a second capture of it leaving (bounded, by capture time). */
	private noteForwarded(arrived: Tuple, copy: CopyId): void {
		const forwarded = this.forwarded;
		if (forwarded.size >= FORWARDED_KEPT) {
			for (const [key, at] of forwarded) {
				if (at >= this.now - COPY_WINDOW && forwarded.size < FORWARDED_KEPT) break;
				forwarded.delete(key);
			}
		}
		forwarded.set(copyKey(arrived, copy), this.now);
	}

	private trace(packet: Packet, c: Classification): ReplayTrace {
		if (c.attached) return this.tracer(this.host, packet, IS_REPLY);
		const entry = c.entry;
		if (entry === undefined) return this.tracer(this.host, packet, NO_OPTIONS);
		// A closed connection's hints went when it closed (ConnectionTable): its last packets are traced without.
		if (entry.tcp === 'TIME_WAIT' || entry.tcp === 'CLOSE') return this.tracer(this.host, packet, NO_OPTIONS);
		const hints = (entry.hints ??= [{ hint: newMemoHint() }, { hint: newMemoHint() }]);
		return this.tracer(this.host, packet, hints[c.reply ? 1 : 0]);
	}

	private noteFlow(c: Classification, fate: ReplayFate, tcp: boolean, complete: boolean): void {
		const flow = this.flows[c.flow - 1] ?? (this.flows[c.flow - 1] = { fate, tcp, complete: false });
		if (complete) flow.complete = true;
	}

	private count(result: ReplayResult, verdict?: Verdict): ReplayResult {
		this.packets++;
		this.byFate.set(result.fate, (this.byFate.get(result.fate) ?? 0) + 1);
		if (verdict?.table != null && verdict.chain !== null) {
			let rule = this.ruleOf.get(verdict);
			if (rule === undefined) {
				const key = `${verdict.table} ${verdict.chain} ${verdict.rule} ${verdict.target}`;
				rule = this.byRule.get(key);
				if (rule === undefined) this.byRule.set(key, (rule = { table: verdict.table, chain: verdict.chain, rule: verdict.rule, target: verdict.target, count: 0 }));
				if (this.ruleOf.size >= RULES_BY_VERDICT) this.ruleOf.clear();
				this.ruleOf.set(verdict, rule);
			}
			rule.count++;
		}
		return result;
	}
}

const IS_REPLY: TraceOptions = { isReply: true };
const NO_OPTIONS: TraceOptions = {};
const LEAVING = { leaving: true };
const ARRIVING = { leaving: false };

/** place()'s answer for a packet traced (not skipped): one object for each, not one per packet. */
function placed(leaving: boolean): { leaving: boolean } {
	return leaving ? LEAVING : ARRIVING;
}

function addressKey(ip: Ip): number | string {
	return ip.family === 4 ? ip.words[0]! : ip.words.join('.');
}

function sentByHost(packet: Packet): void {
	packet.local = true;
	packet.in = undefined;
}

/** A packet seen leaving, made the packet that arrived: its tuple before NAT, its arrival left to routing. */
function arrivedAs(packet: Packet, arrived: Tuple | undefined): void {
	if (arrived !== undefined) {
		// The connection as the packet left keeps its ports: made before they change.
		const left = packet.ct === PENDING_CONNECTION ? ownConnection(packet) : packet.ct;
		packet.src = arrived.src;
		packet.dst = arrived.dst;
		if (packet.sport !== undefined) packet.sport = arrived.sport;
		if (packet.dport !== undefined) packet.dport = arrived.dport;
		packet.ct = { ...left, origSrc: arrived.src, origDst: arrived.dst, replSrc: arrived.dst, replDst: arrived.src };
	}
	// The frame's interface and MACs are those it left by.
	packet.in = undefined;
	packet.srcMac = undefined;
	packet.dstMac = undefined;
}

function headerOf(p: Packet): QuotedHeader {
	return { proto: p.proto, src: p.src, dst: p.dst, sport: p.sport, dport: p.dport, icmpType: p.icmpType, icmpCode: p.icmpCode };
}

/** What tells a captured packet from another with its tuple: IPv4 id (-1: IPv6), length from the IP header on, TCP sequence and acknowledgement (-1: not TCP). */
interface CopyId {
	id: number;
	length: number;
	seq: number;
	ack: number;
}

/** One object for every packet: read only while its packet is replayed. */
const COPY: CopyId = { id: 0, length: 0, seq: 0, ack: 0 };

function copyOf(id: number, length: number, seq: number, ack: number): CopyId {
	COPY.id = id;
	COPY.length = length;
	COPY.seq = seq;
	COPY.ack = ack;
	return COPY;
}

/** A packet's identity across forwarding and NAT: its tuple as it arrived, IPv4 id, length, TCP sequence and acknowledgement. */
function copyKey(arrived: Tuple, copy: CopyId): string {
	return `${tupleKey(arrived)} ${copy.id < 0 ? '' : copy.id} ${copy.length} ${copy.seq < 0 ? '' : `${copy.seq} ${copy.ack}`}`;
}

/**
 * raw runs before conntrack; a local packet without a route never reaches OUTPUT; a frame bridged
 * without br_netfilter never meets iptables or conntrack.
 */
function stoppedBeforeConntrack(trace: ReplayTrace, packet: Packet): boolean {
	return trace.verdict.table === 'raw' || (trace.verdict.table === null && (packet.local || trace.path === 'bridge'));
}

/** Why a frame cannot be traced, or undefined when it can. */
function untraceable(d: DecodedPacket): string | undefined {
	const ip = d.ip;
	if (ip === undefined) return withoutIp(d);
	if (ip.kind === 'ipv4' ? ip.mf || ip.fragOffset !== 0 : ip.fragment !== undefined) return 'an IP fragment: the kernel reassembles the datagram before the firewall sees it, netsleuth does not';
	if ((ip.proto === 6 || ip.proto === 17) && d.transport === undefined) return `its ${ip.proto === 6 ? 'TCP' : 'UDP'} header was not captured`;
	return undefined;
}

const NO_EXTRAS: CtExtras = {};

/** The ICMP identifier, and the header an ICMP error quotes (the first IP header after the ICMP one, and its transport). */
function extrasOf(d: DecodedPacket): CtExtras {
	const t = d.transport;
	if (t === undefined || (t.kind !== 'icmp' && t.kind !== 'icmpv6')) return NO_EXTRAS;
	const at = d.layers.indexOf(t);
	const ip = d.layers[at + 1];
	if (ip === undefined || (ip.kind !== 'ipv4' && ip.kind !== 'ipv6')) return t.id !== undefined ? { icmpId: t.id } : { quoted: null };
	const src = parseIp(ip.src);
	const dst = parseIp(ip.dst);
	if (src === undefined || dst === undefined) return { quoted: null };
	const inner = d.layers[at + 2];
	const quoted: QuotedHeader = {
		proto: ip.proto, src, dst,
		...(inner?.kind === 'tcp' || inner?.kind === 'udp' ? { sport: inner.sport, dport: inner.dport } : {}),
		...(inner?.kind === 'icmp' || inner?.kind === 'icmpv6' ? { icmpType: inner.type, icmpCode: inner.code, ...(inner.id !== undefined ? { icmpId: inner.id } : {}) } : {}),
	};
	return { quoted };
}

function tupleFromJson(json: PacketJson, c: Classification): Tuple | undefined {
	const src = parseIp(json.src);
	const dst = parseIp(json.dst);
	if (src === undefined || dst === undefined) return undefined;
	const icmp = c.tuple.proto === 1 || c.tuple.proto === 58;
	return icmp ? { ...c.tuple, src, dst } : tupleOf({ proto: c.tuple.proto, src, dst, sport: json.sport, dport: json.dport });
}

/** The connection's mark as the packet left: only CONNMARK changes it (`final` is read only then). */
function ctmarkAfter(trace: ReplayTrace, packet: Packet): number {
	if (!(trace.setsConnmark ?? trace.hits.some((h) => h.target === 'CONNMARK'))) return packet.ctmark;
	const text = trace.final.ctmark;
	return text === undefined ? 0 : Number(text);
}

/** The packet's tuple as it left, when NAT changed it: the connection's reply tuple comes from it. */
function translation(c: Classification, trace: ReplayTrace): { translated?: Tuple } {
	const a = trace.packet;
	const b = trace.final;
	if (a.src === b.src && a.dst === b.dst && a.sport === b.sport && a.dport === b.dport) return {};
	const translated = tupleFromJson(b, c);
	return translated === undefined ? {} : { translated };
}

/** The refused packet as the kernel's answer may quote it: as it arrived, and as it was when refused. */
function refusedTuples(c: Classification, trace: ReplayTrace): Tuple[] {
	const last = translation(c, trace).translated;
	return last === undefined ? [c.tuple] : [c.tuple, last];
}
