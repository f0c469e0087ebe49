import { ipEquals } from '../packet/address.js';
import type { MemoHint } from '../trace/decision-memo.js';
import { type Connection, type CtState, formatTcpFlags, type Packet, TCP_FLAGS } from '../packet/packet.js';
import { type TcpIndex, type TcpState, type TcpStep, tcpIndex, tcpNext, tcpStep, validTcpFlags } from './tcp.js';
import { type Timeouts, timeoutsOf } from './timeouts.js';
import { flowKey, icmpInverse, invert, isIcmp, type QuotedHeader, type Tuple, tupleKey, tupleOf } from './tuple.js';

/** One tracked connection: its original tuple, its reply tuple (after NAT), and what conntrack remembers. */
export interface Entry {
	readonly orig: Tuple;
	readonly reply: Tuple;
	/** tupleKey of each direction. */
	readonly origKey: string;
	readonly replyKey: string;
	readonly snat: boolean;
	readonly dnat: boolean;
	readonly flow: number;
	readonly created: number;
	tcp: TcpState | undefined;
	seenReply: boolean;
	assured: boolean;
	/** Capture time (seconds) at which the entry times out. */
	expires: number;
	/** A TCP connection whose three-way handshake was seen to the end. */
	handshake: boolean;
	/** The connection's mark (CONNMARK), as its last packet left it. */
	ctmark: number;
	/** TCP: a FIN was seen (IP_CT_TCP_FLAG_CLOSE_INIT), and the last packet's flags and direction. */
	closeInit: boolean;
	lastIndex: TcpIndex | undefined;
	lastReply: boolean;
	/** The connection as each direction's packets see it (view()), made again when seenReply or assured change. */
	origView: Connection | undefined;
	replyView: Connection | undefined;
	/** The last decision each direction's packets got (original, reply), as trace options: the replay tries it first. */
	hints: [{ readonly hint: MemoHint }, { readonly hint: MemoHint }] | undefined;
}

/** What a packet carries beyond the engine's Packet: the ICMP identifier and an ICMP error's quoted header. */
export interface CtExtras {
	readonly icmpId?: number;
	/** An ICMP error's quoted datagram; null when the error quotes none that could be read. */
	readonly quoted?: QuotedHeader | null;
}

/** conntrack's decision for one packet, before the packet is traced; `commit` applies it afterwards. */
export interface Classification {
	/** The state rules see (-m state, -m conntrack). */
	readonly state: CtState;
	/** The connection as -m conntrack reads it; undefined: the packet's own (a first packet, or none). */
	readonly connection: Connection | undefined;
	/** The flow the packet belongs to (1-based, in order of first appearance). */
	readonly flow: number;
	/** Why the packet is INVALID or UNTRACKED, or how a connection was found. */
	readonly why: string | undefined;
	/** An ICMP error or RST the kernel made for a refused packet: it carries that packet's connection. */
	readonly attached: boolean;
	readonly tuple: Tuple;
	readonly entry: Entry | undefined;
	readonly reply: boolean;
	/** A TCP packet's flags as conntrack indexes them, and the state they lead to (undefined: not TCP). */
	readonly tcp: TcpStep | undefined;
	/** An old connection (TIME_WAIT, CLOSE) that this SYN ends before starting a new one. */
	readonly replaces: Entry | undefined;
	readonly now: number;
}

/** How the traced packet fared, as conntrack learns it. */
export interface Outcome {
	/** The packet reached conntrack: not dropped in raw before it, not untracked there. */
	readonly reached: boolean;
	/** The packet left the last hook (delivered, forwarded, sent): a new connection is confirmed. */
	readonly passed: boolean;
	/** The packet's tuple as it left, when NAT changed it. */
	readonly translated?: Tuple;
	/** The connection's mark as the packet left (CONNMARK may set it on any packet). */
	readonly ctmark?: number;
}

/** ICMPv4 errors (icmp_is_err) quote a datagram; ICMPv6 errors are the types below 128. */
const ICMP_ERRORS = new Set([3, 4, 5, 11, 12]);
/** icmp_new / icmpv6_new: only a request starts an ICMP connection. */
const ICMP_REQUESTS = new Set([8, 13, 15, 17]);
const ICMPV6_REQUESTS = new Set([128, 139]);
/** Neighbour discovery and MLD: icmpv6_error marks them untracked. */
const ICMPV6_UNTRACKED = new Set([130, 131, 132, 133, 134, 135, 136, 143]);
/** A UDP flow that saw a reply and lives longer than this is a stream (nf_conntrack_udp_timeout_stream). */
const UDP_STREAM_AFTER = 2;
/** How long (capture seconds) the kernel's answer to a refused packet is waited for. */
const ANSWER_WINDOW = 1;
/** Expired entries are found on look-up; a sweep only frees them, so it may wait for this many packets. */
const SWEEP_EVERY = 65536;

/**
 * The simulated connection table of nf_conntrack: both directions of a connection find the same entry;
 * entries time out by capture time; a connection exists only once its first packet passed every hook.
 */
export class ConnectionTable {
	readonly timeouts: Timeouts;
	/** The defaults used because the host state did not give them, as "key = value". */
	readonly assumed: string[] = [];
	private readonly entries = new Map<string, Entry>();
	private readonly flows = new Map<string, { n: number; entry: Entry | undefined }>();
	private flowCount = 0;
	private readonly answers = new Map<string, { until: number; flow: number }>();
	private classified = 0;

	constructor(sysctl: ReadonlyMap<string, string>) {
		this.timeouts = timeoutsOf(sysctl, this.assumed);
	}

	/** Connections alive now. */
	get size(): number {
		let n = 0;
		for (const [key, entry] of this.entries) if (key === entry.origKey) n++;
		return n;
	}

	get flowTotal(): number {
		return this.flowCount;
	}

	/** The live entry the tuple belongs to, and whether the tuple is its reply direction. */
	lookup(t: Tuple, now: number): Found | undefined {
		return this.find(tupleKey(t), now);
	}

	private find(key: string, now: number): Found | undefined {
		const entry = this.entries.get(key);
		if (entry === undefined) return undefined;
		if (now >= entry.expires) {
			this.remove(entry);
			return undefined;
		}
		return { entry, reply: entry.origKey !== key };
	}

	/**
	 * A connection's packet seen after NAT, as the kernel received it: the reply of a DNAT flow leaves with
	 * the original destination as its source; it arrived as the connection's reply tuple. Undefined when
	 * the tuple is no translated connection's.
	 */
	arrivedAs(seen: Tuple, now: number): Tuple | undefined {
		const back = invert(seen);
		const found = back === undefined ? undefined : this.lookup(back, now);
		if (found === undefined) return undefined;
		// Seen as the inverse of the reply tuple: the original direction after NAT; of the original: a reply.
		const arrived = found.reply ? found.entry.orig : found.entry.reply;
		return tupleKey(arrived) === tupleKey(seen) ? undefined : arrived;
	}

	classify(packet: Packet, extras: CtExtras, now: number): Classification {
		if (++this.classified % SWEEP_EVERY === 0) this.sweep(now);
		// A packet is a header as tupleOf reads it; ICMP's identifier comes from the extras.
		const tuple = isIcmp(packet.proto) ? tupleOf({ proto: packet.proto, src: packet.src, dst: packet.dst, icmpType: packet.icmpType, icmpCode: packet.icmpCode, icmpId: extras.icmpId }) : tupleOf(packet);
		const answered = this.answerFor(packet, extras, now);
		if (answered !== undefined) return classification(tuple, now, 'RELATED', answered, 'the kernel’s answer to a refused packet carries its connection (nf_ct_attach)', undefined, false, undefined, undefined, true);
		if (isIcmp(packet.proto)) {
			const type = packet.icmpType ?? 0;
			if (packet.proto === 58 && ICMPV6_UNTRACKED.has(type)) return classification(tuple, now, 'UNTRACKED', this.flowOf(tuple), 'neighbour discovery and MLD are never tracked');
			if (packet.proto === 1 ? ICMP_ERRORS.has(type) : type < 128) return this.icmpError(packet, extras, tuple, now);
		}
		const found = this.find(tupleKey(tuple), now);
		if (packet.proto === 6) return this.tcp(packet, tuple, now, found);
		if (found !== undefined) return this.existing(tuple, now, found, undefined);
		if (isIcmp(packet.proto)) {
			const type = packet.icmpType ?? 0;
			if (!(packet.proto === 1 ? ICMP_REQUESTS : ICMPV6_REQUESTS).has(type)) {
				const why = icmpInverse(packet.proto, type) === undefined ? `ICMP type ${type} starts no connection` : `ICMP type ${type} answers a request conntrack has not seen`;
				return classification(tuple, now, 'INVALID', this.flowOf(tuple), why);
			}
		}
		return classification(tuple, now, 'NEW', this.newFlow(tuple), undefined);
	}

	/** Applies what conntrack does with the packet once its fate is known. */
	commit(c: Classification, outcome: Outcome): Entry | undefined {
		if (!outcome.reached || c.attached || c.state === 'INVALID' || c.state === 'UNTRACKED' || c.state === 'RELATED') return undefined;
		if (c.replaces !== undefined) this.remove(c.replaces);
		if (c.entry !== undefined) {
			if (outcome.ctmark !== undefined) c.entry.ctmark = outcome.ctmark;
			return this.update(c.entry, c);
		}
		if (!outcome.passed) return undefined;
		return this.create(c, outcome.translated, outcome.ctmark ?? 0);
	}

	/**
	 * The kernel refused a tracked packet with an ICMP error or a TCP RST: the answer, when the capture
	 * holds it, is RELATED to the refused packet's connection. Keyed by the tuples the answer may quote
	 * or carry (before and after NAT).
	 */
	expectAnswer(refused: readonly Tuple[], flow: number, now: number): void {
		for (const t of refused) {
			this.answers.set(`q ${tupleKey(t)}`, { until: now + ANSWER_WINDOW, flow });
			const back = invert(t);
			if (back !== undefined && t.proto === 6) this.answers.set(`r ${tupleKey(back)}`, { until: now + ANSWER_WINDOW, flow });
		}
	}

	/** Whether the packet is the kernel's answer to a packet it refused just before: the host sent it, whatever its source. */
	isAnswer(packet: Packet, extras: CtExtras, now: number): boolean {
		const key = this.answerKey(packet, extras);
		const answer = key === undefined ? undefined : this.answers.get(key);
		return answer !== undefined && answer.until >= now;
	}

	private answerKey(packet: Packet, extras: CtExtras): string | undefined {
		if (this.answers.size === 0) return undefined;
		if (packet.proto === 6 && ((packet.tcpFlags ?? 0) & TCP_FLAGS.RST) !== 0) return `r ${tupleKey(tupleOf(packet))}`;
		return extras.quoted ? `q ${tupleKey(tupleOf(extras.quoted))}` : undefined;
	}

	private answerFor(packet: Packet, extras: CtExtras, now: number): number | undefined {
		const key = this.answerKey(packet, extras);
		const answer = key === undefined ? undefined : this.answers.get(key);
		if (answer === undefined) return undefined;
		this.answers.delete(key!);
		return answer.until >= now ? answer.flow : undefined;
	}

	private icmpError(packet: Packet, extras: CtExtras, tuple: Tuple, now: number): Classification {
		if (!extras.quoted) return classification(tuple, now, 'INVALID', this.flowOf(tuple), 'an ICMP error without a readable quoted datagram');
		const inner = invert(tupleOf(extras.quoted));
		const flow = this.flowOf(inner ?? tuple);
		const found = inner === undefined ? undefined : this.lookup(inner, now);
		if (found === undefined) return classification(tuple, now, 'INVALID', flow, 'an ICMP error about no connection conntrack knows');
		const { entry, reply } = found;
		// nf_conntrack_inet_error: the error must go where that direction of the connection goes.
		if (!ipEquals(packet.dst, reply ? entry.reply.dst : entry.orig.dst)) return classification(tuple, now, 'INVALID', flow, 'an ICMP error whose destination is not the quoted connection’s');
		return classification(tuple, now, 'RELATED', entry.flow, 'an ICMP error about a known connection', entry, reply);
	}

	private tcp(packet: Packet, tuple: Tuple, now: number, found: Found | undefined): Classification {
		const flags = packet.tcpFlags ?? 0;
		if (!validTcpFlags(flags)) return classification(tuple, now, 'INVALID', found?.entry.flow ?? this.flowOf(tuple), `TCP flags ${formatTcpFlags(flags)}: a combination conntrack refuses`);
		const index = tcpIndex(flags);
		if (found !== undefined) {
			const { entry, reply } = found;
			const old = entry.tcp ?? 'NONE';
			let next = tcpNext(reply, index, old);
			if (next === 'SYN_SENT' && (old === 'TIME_WAIT' || old === 'CLOSE')) {
				// A SYN on a connection closed by a FIN, or reset from the SYN's side, ends it: the kernel deletes
				// the entry and tracks the SYN anew. Otherwise the SYN is ignored.
				if (entry.closeInit || (entry.lastIndex === 'rst' && entry.lastReply === reply)) {
					this.forgetFlow(tuple);
					return classification(tuple, now, 'NEW', this.newFlow(tuple), undefined, undefined, false, tcpStep(index, next), entry);
				}
				next = 'IG';
			}
			if (next === 'IV') return classification(tuple, now, 'INVALID', entry.flow, `TCP ${index.toUpperCase()} is invalid in state ${old} (${reply ? 'reply' : 'original'} direction)`);
			return this.existing(tuple, now, found, tcpStep(index, next));
		}
		const next = tcpNext(false, index, 'NONE');
		if (next === 'IV') return classification(tuple, now, 'INVALID', this.flowOf(tuple), `TCP ${formatTcpFlags(flags)} without a connection: only a SYN (or, with nf_conntrack_tcp_loose, an ACK) starts one`);
		if (next !== 'SYN_SENT' && !this.timeouts.tcpLoose) return classification(tuple, now, 'INVALID', this.flowOf(tuple), 'a mid-stream TCP packet without a connection, and nf_conntrack_tcp_loose = 0');
		const why = next === 'ESTABLISHED' ? 'a mid-stream packet: conntrack picks the connection up (nf_conntrack_tcp_loose = 1)' : undefined;
		return classification(tuple, now, 'NEW', this.newFlow(tuple), why, undefined, false, tcpStep(index, next));
	}

	private existing(tuple: Tuple, now: number, found: Found, tcp: Classification['tcp']): Classification {
		const { entry, reply } = found;
		return classification(tuple, now, reply || entry.seenReply ? 'ESTABLISHED' : 'NEW', entry.flow, undefined, entry, reply, tcp);
	}

	private update(entry: Entry, c: Classification): Entry | undefined {
		const seenBefore = entry.seenReply;
		const assuredBefore = entry.assured;
		const updated = this.updated(entry, c, seenBefore);
		if (entry.seenReply !== seenBefore || entry.assured !== assuredBefore) entry.origView = entry.replyView = undefined;
		return updated;
	}

	private updated(entry: Entry, c: Classification, seenBefore: boolean): Entry | undefined {
		if (c.reply) entry.seenReply = true;
		const t = this.timeouts;
		if (c.tcp !== undefined) {
			const { index, next } = c.tcp;
			if (next === 'IV' || next === 'NONE') return entry;
			entry.lastIndex = index;
			entry.lastReply = c.reply;
			if (next === 'IG') return entry;
			const old = entry.tcp ?? 'NONE';
			if (next === 'FIN_WAIT' && old !== 'FIN_WAIT') entry.closeInit = true;
			entry.tcp = next;
			// A closed connection sees a packet or two more, traced without hints (most of a long capture's
			// connections end so): what was kept for its packets goes now, not when it times out.
			if (next === 'TIME_WAIT' || next === 'CLOSE') entry.hints = entry.origView = entry.replyView = undefined;
			if (!seenBefore) {
				// A connection whose only answer is a RST is deleted at once.
				if (index === 'rst') {
					this.remove(entry);
					return undefined;
				}
				// A retransmitted SYN does not renew the timeout.
				if (index === 'syn' && old === 'SYN_SENT') return entry;
			}
			if (seenBefore && !entry.assured && (old === 'SYN_RECV' || old === 'ESTABLISHED') && next === 'ESTABLISHED') entry.assured = true;
			if (old === 'SYN_RECV' && next === 'ESTABLISHED') entry.handshake = true;
			entry.expires = c.now + this.tcpTimeout(next, index, seenBefore);
			return entry;
		}
		if (entry.orig.proto === 17) {
			const stream = seenBefore && c.now > entry.created + UDP_STREAM_AFTER;
			if (stream) entry.assured = true;
			entry.expires = c.now + (stream ? t.udpStream : t.udp);
		} else if (entry.orig.proto === 47 && seenBefore) {
			entry.assured = true;
			entry.expires = c.now + t.greStream;
		} else entry.expires = c.now + this.lifetime(entry.orig.proto);
		return entry;
	}

	private create(c: Classification, translated: Tuple | undefined, ctmark: number): Entry | undefined {
		const after = translated ?? c.tuple;
		const reply = invert(after);
		if (reply === undefined) return undefined;
		const state = c.tcp?.next as Exclude<TcpState, 'NONE'> | undefined;
		const entry: Entry = {
			orig: c.tuple, reply, origKey: tupleKey(c.tuple), replyKey: tupleKey(reply), flow: c.flow, created: c.now,
			snat: !ipEquals(after.src, c.tuple.src) || after.sport !== c.tuple.sport,
			dnat: !ipEquals(after.dst, c.tuple.dst) || after.dport !== c.tuple.dport,
			tcp: state, seenReply: false, assured: false, handshake: false, ctmark, closeInit: false, lastIndex: c.tcp?.index, lastReply: false, hints: undefined, origView: undefined, replyView: undefined,
			expires: c.now + (state !== undefined ? this.tcpTimeout(state, c.tcp!.index, false) : this.lifetime(c.tuple.proto)),
		};
		this.entries.set(entry.origKey, entry);
		this.entries.set(entry.replyKey, entry);
		const record = this.flows.get(flowKey(c.tuple));
		if (record !== undefined) record.entry = entry;
		return entry;
	}

	/** The timeout a TCP packet sets: CLOSE's after a RST; a picked-up connection without reply at most the unacknowledged one. */
	private tcpTimeout(state: Exclude<TcpState, 'NONE'>, index: TcpIndex, seenReply: boolean): number {
		const t = this.timeouts;
		if (index === 'rst') return t.tcp.CLOSE;
		if (!seenReply && state === 'ESTABLISHED') return Math.min(t.tcp.ESTABLISHED, t.tcpUnacknowledged);
		return t.tcp[state];
	}

	private lifetime(proto: number): number {
		const t = this.timeouts;
		return proto === 17 ? t.udp : proto === 1 ? t.icmp : proto === 58 ? t.icmpv6 : proto === 47 ? t.gre : t.generic;
	}

	private remove(entry: Entry): void {
		if (this.entries.get(entry.origKey) === entry) this.entries.delete(entry.origKey);
		if (this.entries.get(entry.replyKey) === entry) this.entries.delete(entry.replyKey);
	}

	/** Deletes what has timed out, so that a long capture's table holds only live connections. */
	private sweep(now: number): void {
		for (const entry of this.entries.values()) if (now >= entry.expires) this.remove(entry);
		for (const [key, answer] of this.answers) if (answer.until < now) this.answers.delete(key);
	}

	/** The flow of a tuple, numbered when first seen. */
	private flowOf(t: Tuple): number {
		return this.flowRecord(flowKey(t)).n;
	}

	private flowRecord(key: string): { n: number; entry: Entry | undefined } {
		let record = this.flows.get(key);
		if (record === undefined) {
			record = { n: ++this.flowCount, entry: undefined };
			this.flows.set(key, record);
		}
		return record;
	}

	/** A packet that starts a connection: a new flow when the tuple's earlier connection has ended. */
	private newFlow(t: Tuple): number {
		const key = flowKey(t);
		const record = this.flows.get(key);
		if (record?.entry !== undefined && this.entries.get(record.entry.origKey) !== record.entry) this.flows.delete(key);
		return this.flowRecord(key).n;
	}

	private forgetFlow(t: Tuple): void {
		this.flows.delete(flowKey(t));
	}
}

type Found = { readonly entry: Entry; readonly reply: boolean };

/** One classification, every field in the same order (one object shape). */
function classification(
	tuple: Tuple, now: number, state: CtState, flow: number, why: string | undefined,
	entry: Entry | undefined = undefined, reply = false, tcp: Classification['tcp'] = undefined, replaces: Entry | undefined = undefined, attached = false,
): Classification {
	return { state, connection: entry === undefined ? undefined : view(entry, reply), flow, why, attached, tuple, entry, reply, tcp, replaces, now };
}

/** The connection as -m conntrack reads it, for a packet in the given direction (one object while it holds). */
function view(entry: Entry, reply: boolean): Connection {
	// Frozen: shared by the connection's packets, and kept as it is in the decision memo's keys.
	return reply ? (entry.replyView ??= Object.freeze(viewOf(entry, true))) : (entry.origView ??= Object.freeze(viewOf(entry, false)));
}

function viewOf(entry: Entry, reply: boolean): Connection {
	const ported = !isIcmp(entry.orig.proto) && (entry.orig.sport !== 0 || entry.orig.dport !== 0);
	return {
		origSrc: entry.orig.src, origDst: entry.orig.dst, replSrc: entry.reply.src, replDst: entry.reply.dst,
		...(ported ? { origSport: entry.orig.sport, origDport: entry.orig.dport, replSport: entry.reply.sport, replDport: entry.reply.dport } : {}),
		reply, seenReply: entry.seenReply, assured: entry.assured, confirmed: true, snat: entry.snat, dnat: entry.dnat,
	};
}
