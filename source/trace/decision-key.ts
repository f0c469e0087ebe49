import type { Reads } from '../netfilter/extension.js';
import type { Ip } from '../packet/address.js';
import type { Connection, Packet } from '../packet/packet.js';

/**
 * Where each of a packet's fields enters the decision memo's key: `always`, or only when the loaded rules
 * read it (Reads, declared by each match and target). Exhaustive, so a new Packet field must be placed
 * here and in sameKey; test/trace/decision-memo.test.ts checks that every field placed here tells keys apart.
 *   ct: the connection's status flags always; its tuples when a rule reads them (and the source port
 *   then: NAT targets copy it into the reply tuple); of a translated connection, the addresses and ports
 *   its later packets get from the tuples (the recorded NAT, pipeline.ts's recordedNat).
 *   sport: also through the flow hash, when a random branch reads it (decision-memo.ts).
 * Only what the decision (fate, verdict, hits) depends on is keyed: the memo makes a remembered
 * decision's final packet by walking the packet anew when it is read.
 */
export const KEY_FIELDS: { readonly [K in keyof Packet]-?: 'always' | 'sport' | 'length' | 'payload' } = {
	family: 'always', proto: 'always', src: 'always', dst: 'always', sport: 'sport', dport: 'always',
	icmpType: 'always', icmpCode: 'always', tcpFlags: 'always', tcpOptions: 'always',
	in: 'always', out: 'always', srcMac: 'always', dstMac: 'always', mark: 'always', ctmark: 'always',
	ctState: 'always', ct: 'always', ctStateGiven: 'always', local: 'always', length: 'length', ttl: 'always',
	tos: 'always', fragment: 'always', uid: 'always', gid: 'always', payload: 'payload',
	physIn: 'always', physOut: 'always', pktType: 'always',
};

export interface DecisionKey {
	/** The source port is in the key (so the flow hash, whose other fields always are, adds nothing). */
	readonly sport: boolean;
	/** A hash of the key (packets with the same key have the same hash; others may too). */
	hash(p: Packet): number;
	/** The packet's key fields, copied into an object of one shape (quick to compare). */
	record(p: Packet): KeyRecord;
	/** The packet has the key recorded: the same decision. */
	same(a: KeyRecord, b: Packet): boolean;
}

/** The fields of a packet that may be in a key, in one shape. */
type Complete<T> = { readonly [K in keyof Required<T>]: T[K] | undefined };
export type KeyRecord = Omit<Complete<Packet>, 'ct'> & { readonly ct: Complete<Connection> };

function recordOf(p: Packet, withPayload: boolean): KeyRecord {
	const c = p.ct;
	return {
		family: p.family, proto: p.proto, src: p.src, dst: p.dst, sport: p.sport, dport: p.dport,
		icmpType: p.icmpType, icmpCode: p.icmpCode, tcpFlags: p.tcpFlags, tcpOptions: p.tcpOptions && [...p.tcpOptions],
		in: p.in, out: p.out, srcMac: p.srcMac, dstMac: p.dstMac, mark: p.mark, ctmark: p.ctmark,
		ctState: p.ctState, ctStateGiven: p.ctStateGiven,
		ct: {
			origSrc: c.origSrc, origDst: c.origDst, origSport: c.origSport, origDport: c.origDport,
			replSrc: c.replSrc, replDst: c.replDst, replSport: c.replSport, replDport: c.replDport,
			reply: c.reply, seenReply: c.seenReply, assured: c.assured, confirmed: c.confirmed, snat: c.snat, dnat: c.dnat,
		},
		local: p.local, length: p.length, ttl: p.ttl, tos: p.tos, fragment: p.fragment, uid: p.uid, gid: p.gid,
		// A copy: a captured packet's payload is a view of the reader's chunk, which the memo must not hold.
		payload: withPayload && p.payload ? Uint8Array.from(p.payload) : undefined, physIn: p.physIn, physOut: p.physOut, pktType: p.pktType,
	};
}

function sameIp(a: Ip, b: Ip): boolean {
	const x = a.words;
	const y = b.words;
	if (x.length !== y.length || x[0] !== y[0]) return false;
	for (let i = 1; i < x.length; i++) if (x[i] !== y[i]) return false;
	return true;
}

function sameBytes(a: ArrayLike<number> | undefined, b: ArrayLike<number> | undefined): boolean {
	if (a === b) return true;
	if (a === undefined || b === undefined || a.length !== b.length) return false;
	for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
	return true;
}

const flagsOf = (c: Complete<Connection> | Connection): number => (c.reply ? 1 : 0) | (c.seenReply ? 2 : 0) | (c.assured ? 4 : 0) | (c.confirmed ? 8 : 0) | (c.snat ? 16 : 0) | (c.dnat ? 32 : 0);

/** Translated connections: their later packets get the recorded NAT, read from the tuples (pipeline.ts). */
const translated = (c: Connection): boolean => c.confirmed && (c.snat || c.dnat);

/** The addresses and ports recordedNat (pipeline.ts) copies into a later packet of a translated connection. */
function sameRecordedNat(a: Complete<Connection>, b: Connection): boolean {
	if (!b.reply) {
		return (!b.dnat || (sameIp(a.replSrc!, b.replSrc) && a.replSport === b.replSport)) && (!b.snat || (sameIp(a.replDst!, b.replDst) && a.replDport === b.replDport));
	}
	return (!b.snat || (sameIp(a.origSrc!, b.origSrc) && a.origSport === b.origSport)) && (!b.dnat || (sameIp(a.origDst!, b.origDst) && a.origDport === b.origDport));
}

function sameTuple(a: Complete<Connection>, b: Connection): boolean {
	return sameIp(a.origSrc!, b.origSrc) && sameIp(a.origDst!, b.origDst) && a.origSport === b.origSport && a.origDport === b.origDport
		&& sameIp(a.replSrc!, b.replSrc) && sameIp(a.replDst!, b.replDst) && a.replSport === b.replSport && a.replDport === b.replDport;
}

/**
 * The decision key for rules that read `reads`: two packets with the same key get the same decision
 * from the same host (the walk reads nothing else, bar the flow hash, which the memo watches).
 */
export function decisionKey(reads: Reads): DecisionKey {
	const tuples = reads.tuple === true;
	const sport = reads.sport === true || tuples;
	const length = reads.length === true;
	const payload = reads.payload === true;
	return {
		sport,
		hash(p) {
			// Cheap and lossy: `same` decides.
			let h = Math.imul(p.src.words[0]! ^ 0x9e3779b9, 0x85ebca6b);
			h = Math.imul(h ^ p.dst.words[0]!, 0xc2b2ae35);
			h = Math.imul(h ^ ((p.dport ?? 0) | (p.proto << 16) | ((p.tcpFlags ?? 0) << 24)), 0x85ebca6b);
			h = Math.imul(h ^ (p.ttl | (flagsOf(p.ct) << 8) | (p.mark << 16)), 0xc2b2ae35);
			if (sport) h = Math.imul(h ^ (p.sport ?? 0), 0x85ebca6b);
			if (length) h = Math.imul(h ^ p.length, 0xc2b2ae35);
			return (h ^ (h >>> 15)) >>> 0;
		},
		record: (p) => recordOf(p, payload),
		same(a, b) {
			if (!(a.family === b.family && a.proto === b.proto && sameIp(a.src!, b.src) && sameIp(a.dst!, b.dst) && a.dport === b.dport
				&& a.icmpType === b.icmpType && a.icmpCode === b.icmpCode && a.tcpFlags === b.tcpFlags && sameBytes(a.tcpOptions, b.tcpOptions)
				&& a.in === b.in && a.out === b.out && a.srcMac === b.srcMac && a.dstMac === b.dstMac && a.mark === b.mark && a.ctmark === b.ctmark
				&& a.ctState === b.ctState && a.ctStateGiven === b.ctStateGiven && flagsOf(a.ct) === flagsOf(b.ct) && a.local === b.local
				&& a.ttl === b.ttl && a.tos === b.tos && a.fragment === b.fragment && a.uid === b.uid && a.gid === b.gid
				&& a.physIn === b.physIn && a.physOut === b.physOut && a.pktType === b.pktType)) return false;
			if (sport && a.sport !== b.sport) return false;
			if (length && a.length !== b.length) return false;
			if (payload && !sameBytes(a.payload, b.payload)) return false;
			if (tuples) return sameTuple(a.ct, b.ct);
			// The flags are equal here, so both or neither are translated.
			return !translated(b.ct) || sameRecordedNat(a.ct, b.ct);
		},
	};
}
