import { READ_BITS, type Reads } from '../netfilter/extension.js';
import { ipEquals } from '../packet/address.js';
import type { Connection, Packet } from '../packet/packet.js';

/**
 * Where each of a packet's fields enters the decision memo's key: `always` (the pipeline, routing and
 * iptables' own criteria read it), or only when an extension the decision consulted reads it (Reads,
 * declared by each match and target, reported as the walk goes). Exhaustive, so a new Packet field must
 * be placed here and below; test/trace/decision-memo.test.ts checks that each field tells keys apart.
 *   ct: direction, confirmed, NAT flags always (and, of a translated connection, the addresses and ports
 *   its later packets get from the tuples: the recorded NAT, pipeline.ts's recordedNat); seen-reply and
 *   assured as `status`; the tuples as `tuple`.
 *   sport: also read through the flow hash (random branches); always when policy routing rules read it.
 * Only what the decision (fate, verdict, hits) depends on is keyed: the memo makes a remembered
 * decision's final packet by walking the packet anew when it is read.
 */
export const KEY_FIELDS: { readonly [K in keyof Packet]-?: 'always' | keyof Reads } = {
	family: 'always', proto: 'always', src: 'always', dst: 'always', sport: 'sport', dport: 'always',
	icmpType: 'icmp', icmpCode: 'icmp', tcpFlags: 'tcp', tcpOptions: 'tcp',
	in: 'always', out: 'always', srcMac: 'always', dstMac: 'always', mark: 'always', ctmark: 'always',
	ctState: 'always', ct: 'always', ctStateGiven: 'always', local: 'always', length: 'length', ttl: 'always',
	tos: 'always', fragment: 'always', uid: 'always', gid: 'always', payload: 'payload',
	physIn: 'always', physOut: 'always', pktType: 'always',
};

type Complete<T> = { readonly [K in keyof Required<T>]: T[K] | undefined };
/** The fields of a packet that may be in a key, in one shape (quick to compare). */
export type KeyRecord = Omit<Complete<Packet>, 'ct'> & { readonly ct: Complete<Connection> };

export interface DecisionKey {
	/** A hash of the fields always keyed (packets with the same key have the same hash; others may too). */
	hash(p: Packet): number;
	/** The packet's fields, copied (the payload only when `reads` has it). */
	record(p: Packet, reads: number): KeyRecord;
	/** The packet has the fields always keyed as recorded. */
	same(a: KeyRecord, b: Packet): boolean;
	/** A hash of the fields `reads` (READ_BITS) keys besides. */
	hashOf(p: Packet, reads: number): number;
	/** The packet has the fields `reads` keys besides as recorded. */
	sameOf(a: KeyRecord, b: Packet, reads: number): boolean;
}

function recordOf(p: Packet, reads: number): KeyRecord {
	const c = p.ct;
	return {
		family: p.family, proto: p.proto, src: p.src, dst: p.dst, sport: p.sport, dport: p.dport,
		icmpType: p.icmpType, icmpCode: p.icmpCode, tcpFlags: p.tcpFlags, tcpOptions: p.tcpOptions && [...p.tcpOptions],
		in: p.in, out: p.out, srcMac: p.srcMac, dstMac: p.dstMac, mark: p.mark, ctmark: p.ctmark,
		ctState: p.ctState, ctStateGiven: p.ctStateGiven,
		// A frozen connection (conntrack's view of an entry) cannot change under the key: kept as it is.
		ct: Object.isFrozen(c) ? (c as Complete<Connection>) : {
			origSrc: c.origSrc, origDst: c.origDst, origSport: c.origSport, origDport: c.origDport,
			replSrc: c.replSrc, replDst: c.replDst, replSport: c.replSport, replDport: c.replDport,
			reply: c.reply, seenReply: c.seenReply, assured: c.assured, confirmed: c.confirmed, snat: c.snat, dnat: c.dnat,
		},
		local: p.local, length: p.length, ttl: p.ttl, tos: p.tos, fragment: p.fragment, uid: p.uid, gid: p.gid,
		// A copy: a captured packet's payload is a view of the reader's chunk, which the memo must not hold.
		payload: reads & READ_BITS.payload && p.payload ? Uint8Array.from(p.payload) : undefined,
		physIn: p.physIn, physOut: p.physOut, pktType: p.pktType,
	};
}

function sameBytes(a: ArrayLike<number> | undefined, b: ArrayLike<number> | undefined): boolean {
	if (a === b) return true;
	if (a === undefined || b === undefined || a.length !== b.length) return false;
	for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
	return true;
}

const flagsOf = (c: Complete<Connection> | Connection): number => (c.reply ? 1 : 0) | (c.confirmed ? 2 : 0) | (c.snat ? 4 : 0) | (c.dnat ? 8 : 0);

/** Translated connections: their later packets get the recorded NAT, read from the tuples (pipeline.ts). */
const translated = (c: Connection): boolean => c.confirmed && (c.snat || c.dnat);

/** The addresses and ports recordedNat (pipeline.ts) copies into a later packet of a translated connection. */
function sameRecordedNat(a: Complete<Connection>, b: Connection): boolean {
	if (!b.reply) {
		return (!b.dnat || (ipEquals(a.replSrc!, b.replSrc) && a.replSport === b.replSport)) && (!b.snat || (ipEquals(a.replDst!, b.replDst) && a.replDport === b.replDport));
	}
	return (!b.snat || (ipEquals(a.origSrc!, b.origSrc) && a.origSport === b.origSport)) && (!b.dnat || (ipEquals(a.origDst!, b.origDst) && a.origDport === b.origDport));
}

function sameTuple(a: Complete<Connection>, b: Connection): boolean {
	return ipEquals(a.origSrc!, b.origSrc) && ipEquals(a.origDst!, b.origDst) && a.origSport === b.origSport && a.origDport === b.origDport
		&& ipEquals(a.replSrc!, b.replSrc) && ipEquals(a.replDst!, b.replDst) && a.replSport === b.replSport && a.replDport === b.replDport;
}

const mix = (h: number, n: number, m: number): number => Math.imul(h ^ n, m);

/**
 * The decision key: two packets with the same fields always keyed, and the same fields the extensions
 * consulted read, get the same decision from the same host (the walk reads nothing else).
 * `sportAlways`: policy routing rules read the source port.
 */
export function decisionKey(sportAlways: boolean): DecisionKey {
	return {
		hash(p) {
			// Cheap and lossy: `same` decides.
			let h = mix(0x9e3779b9, p.src.words[0]!, 0x85ebca6b);
			h = mix(h, p.dst.words[0]!, 0xc2b2ae35);
			h = mix(h, (p.dport ?? 0) | (p.proto << 16), 0x85ebca6b);
			h = mix(h, p.ttl | (flagsOf(p.ct) << 8) | (p.mark << 16), 0xc2b2ae35);
			if (sportAlways) h = mix(h, p.sport ?? 0, 0x85ebca6b);
			return (h ^ (h >>> 15)) >>> 0;
		},
		record: recordOf,
		same(a, b) {
			return a.family === b.family && a.proto === b.proto && ipEquals(a.src!, b.src) && ipEquals(a.dst!, b.dst) && a.dport === b.dport
				&& a.in === b.in && a.out === b.out && a.srcMac === b.srcMac && a.dstMac === b.dstMac && a.mark === b.mark && a.ctmark === b.ctmark
				&& a.ctState === b.ctState && a.ctStateGiven === b.ctStateGiven && (a.ct === b.ct || flagsOf(a.ct) === flagsOf(b.ct)) && a.local === b.local
				&& a.ttl === b.ttl && a.tos === b.tos && a.fragment === b.fragment && a.uid === b.uid && a.gid === b.gid
				&& a.physIn === b.physIn && a.physOut === b.physOut && a.pktType === b.pktType
				&& (!sportAlways || a.sport === b.sport)
				// The flags are equal here, so both or neither are translated; the same frozen view (a connection's packets) has the same tuples.
				&& (a.ct === b.ct || !translated(b.ct) || sameRecordedNat(a.ct, b.ct));
		},
		hashOf(p, reads) {
			let h = reads;
			if (reads & READ_BITS.sport) h = mix(h, p.sport ?? 0x10000, 0x85ebca6b);
			if (reads & READ_BITS.length) h = mix(h, p.length, 0xc2b2ae35);
			if (reads & READ_BITS.tcp) h = mix(h, p.tcpFlags ?? 0x100, 0x85ebca6b);
			if (reads & READ_BITS.icmp) h = mix(h, ((p.icmpType ?? 0x100) << 9) | (p.icmpCode ?? 0x100), 0xc2b2ae35);
			if (reads & READ_BITS.tuple) h = mix(h, (p.ct.origSport ?? 0) | ((p.ct.replSport ?? 0) << 16), 0x85ebca6b);
			if (reads & READ_BITS.status) h = mix(h, (p.ct.seenReply ? 1 : 0) | (p.ct.assured ? 2 : 0), 0xc2b2ae35);
			return (h ^ (h >>> 15)) >>> 0;
		},
		sameOf(a, b, reads) {
			return (!(reads & READ_BITS.sport) || a.sport === b.sport)
				&& (!(reads & READ_BITS.length) || a.length === b.length)
				&& (!(reads & READ_BITS.payload) || sameBytes(a.payload, b.payload))
				&& (!(reads & READ_BITS.tcp) || (a.tcpFlags === b.tcpFlags && sameBytes(a.tcpOptions, b.tcpOptions)))
				&& (!(reads & READ_BITS.icmp) || (a.icmpType === b.icmpType && a.icmpCode === b.icmpCode))
				&& (!(reads & READ_BITS.tuple) || sameTuple(a.ct, b.ct))
				&& (!(reads & READ_BITS.status) || (a.ct.seenReply === b.ct.seenReply && a.ct.assured === b.ct.assured));
		},
	};
}
