import { READ_BITS } from '../netfilter/extension.js';
import type { Packet } from '../packet/packet.js';
import { type DecisionKey, decisionKey, type KeyRecord } from './decision-key.js';
import type { Hit } from '../netfilter/walk.js';
import type { Decision, Verdict } from './model.js';
import { decidePacket, type HostModel } from './pipeline.js';

/** A decision as kept: without its final packet (made anew for each packet that reads it). */
export type Kept = Omit<Decision, 'final'>;

/** Under a key: the decision consulted an extension that keeps state across packets; never taken again. */
const EACH_PACKET = 0;

type Entry = Kept | typeof EACH_PACKET;

/** A new slot's decisions until its first is held. */
const NONE_HELD: Held[] = [];

/**
 * Hits and verdicts kept to be shared (DecisionMemo.shared): a kube-proxy node's connections each meet
 * rules of their own (KUBE-SEP-…), which kept for ever were a long replay's growing memory.
 */
const SHARED_KEPT = 16384;

/** A decision and the packet it was made for, with what its walk read beyond the fields always keyed. */
interface Held {
	readonly slot: Slot;
	readonly key: KeyRecord;
	readonly reads: number;
	/** Its place in the memo's table: the slot's hash mixed with the hash of what it read (hashOf). */
	readonly at: number;
	readonly entry: Entry;
}

/**
 * Where a caller keeps the last decision a run of alike packets got (DecisionMemo.decide): the decision and
 * its key, not its place in the memo (which the memo may forget).
 */
export interface MemoHint {
	key: KeyRecord | undefined;
	reads: number;
	kept: Kept | undefined;
}

export function newMemoHint(): MemoHint {
	return { key: undefined, reads: 0, kept: undefined };
}

function keep(hint: MemoHint, held: Held): void {
	hint.key = held.key;
	hint.reads = held.reads;
	hint.kept = held.entry as Kept;
}

/**
 * The decisions for one value of the fields always keyed: what each read besides (`reads`, one per kind),
 * and every one held (to forget them). Its key is its first decision's (a record has every field).
 */
interface Slot {
	readonly key: KeyRecord;
	readonly hash: number;
	readonly reads: number[];
	/** Made with its first decision (an empty array grown by push keeps room for 17: a slot holds one or two). */
	held: Held[];
}

/** A remembered decision for another packet: its final packet is made when read, by walking it (a replay reads it for a connection's first packet). */
class Remembered implements Decision {
	readonly path: Decision['path'];
	readonly fate: Decision['fate'];
	readonly verdict: Decision['verdict'];
	readonly hits: Decision['hits'];
	readonly arrival: Decision['arrival'];
	readonly answered: boolean;
	readonly untracked: boolean;
	readonly setsConnmark: boolean;
	readonly reads: number;
	#final: Packet | undefined;

	constructor(
		decision: Kept,
		private readonly host: HostModel,
		private readonly input: Packet,
	) {
		this.path = decision.path;
		this.fate = decision.fate;
		this.verdict = decision.verdict;
		this.hits = decision.hits;
		this.arrival = decision.arrival;
		this.answered = decision.answered;
		this.untracked = decision.untracked;
		this.setsConnmark = decision.setsConnmark;
		this.reads = decision.reads;
	}

	get final(): Packet {
		this.#final ??= decidePacket(this.host, this.input).final;
		return this.#final;
	}
}

/**
 * decidePacket with a memo, for replaying captures: a packet gets the decision (fate, verdict, hits)
 * already made for one with the same fields always keyed (decision-key.ts) and the same fields that
 * decision's walk read besides (reported by each extension it consulted, and the flow hash). Its final
 * packet is the packet's own, walked when read; the packet given must not change until then.
 *
 * Sound because the walk is deterministic in what it reads: a packet equal to a remembered one in every
 * field that one's walk read walks alike. A decision that consulted an extension keeping state across
 * packets (limit, recent, quota, statistic nth, time, …) is not taken again for such packets. At most
 * about `capacity` decisions are held: the oldest keys go first. test/trace/decision-memo.test.ts checks
 * memo against no memo on random rulesets and captures.
 */
export class DecisionMemo {
	private readonly key: DecisionKey;
	/** Slots by the hash of the fields always keyed. */
	private readonly slots = new Map<number, Slot[]>();
	/** Decisions by `Held.at`: one table for the memo (a Map per slot cost more than its decisions). */
	private readonly table = new Map<number, Held[]>();
	/** Decisions held. */
	private held = 0;
	/** Decisions taken from the memo, and made. */
	hits = 0;
	misses = 0;
	/** Hits as kept, by chain and rule number: one object per rule met, shared by the decisions that met it. */
	private readonly hitObjects = new Map<string, Map<number, Hit[]>>();
	/** Verdicts by their text (made with the decision: no other key to build), then the rest. */
	private readonly verdicts = new Map<string, Verdict[]>();
	/** Hits and verdicts in the two maps above: past SHARED_KEPT they are let go (sharing is only a saving). */
	private sharedCount = 0;
	/** Arrivals by interface: away from and on the host. */
	private readonly arrivals = new Map<string | undefined, [Decision['arrival'] | undefined, Decision['arrival'] | undefined]>();

	constructor(
		readonly host: HostModel,
		// Small: a replay keeps each connection's last decisions itself (MemoHint); the memo serves the first
		// packets of a direction, which on a kube-proxy node's capture share no decision with another flow.
		readonly capacity = 2048,
	) {
		// Policy routing rules with --sport read it for every packet.
		this.key = decisionKey(host.routing?.rules.some((rule) => rule.sport !== undefined) === true);
	}

	/**
	 * The decision for a packet (not the kernel's own answer: decidePacket's isReply). `hint` is where the
	 * caller keeps the last decision of a run of alike packets (a connection's direction): tried first, it
	 * spares the look-up, and is set to the decision given.
	 */
	decide(packet: Packet, hint?: MemoHint): Decision {
		const kept = this.lookup(packet, hint);
		if (kept !== undefined) return new Remembered(kept, this.host, packet);
		return this.remember(packet, hint);
	}

	/**
	 * The decision kept for a packet like this one (the hint's, then the memo's), without its final packet;
	 * undefined when there is none (decide makes it). Makes no object.
	 */
	lookup(packet: Packet, hint?: MemoHint): Kept | undefined {
		const kept = hint?.kept;
		if (kept !== undefined && this.key.same(hint!.key!, packet) && this.key.sameOf(hint!.key!, packet, hint!.reads)) {
			this.hits++;
			return kept;
		}
		const bucket = this.slots.get(this.key.hash(packet));
		if (bucket === undefined) return undefined;
		for (const slot of bucket) {
			if (!this.key.same(slot.key, packet)) continue;
			const found = this.find(slot, packet);
			if (found === undefined || found.entry === EACH_PACKET) return undefined;
			this.hits++;
			if (hint !== undefined) keep(hint, found);
			return found.entry;
		}
		return undefined;
	}

	/** The decision for a packet lookup found none for, made and remembered (unless it holds for this packet only). */
	remember(packet: Packet, hint?: MemoHint): Decision {
		const hash = this.key.hash(packet);
		let bucket = this.slots.get(hash);
		let slot: Slot | undefined;
		if (bucket) {
			for (const s of bucket) {
				if (this.key.same(s.key, packet)) {
					slot = s;
					break;
				}
			}
		}
		this.misses++;
		const decision = decidePacket(this.host, packet);
		// Found by lookup, held for no other packet.
		if (slot !== undefined && this.find(slot, packet) !== undefined) return decision;
		const reads = decision.reads;
		const key = this.key.record(packet, reads);
		if (!slot) {
			slot = { key, hash, reads: [reads], held: NONE_HELD };
			if (!bucket) this.slots.set(hash, [slot]);
			else bucket.push(slot);
		} else if (!slot.reads.includes(reads)) slot.reads.push(reads);
		if (this.sharedCount > SHARED_KEPT) {
			this.hitObjects.clear();
			this.verdicts.clear();
			this.sharedCount = 0;
		}
		const entry: Entry = reads & READ_BITS.state ? EACH_PACKET : {
			path: decision.path, fate: decision.fate, verdict: this.sharedVerdict(decision.verdict), hits: decision.hits.map((h) => this.shared(h)), arrival: this.sharedArrival(decision.arrival),
			answered: decision.answered, untracked: decision.untracked, setsConnmark: decision.setsConnmark, reads,
		};
		const at = place(hash, this.key.hashOf(packet, reads));
		const held: Held = { slot, key, reads, at, entry };
		if (slot.held === NONE_HELD) slot.held = [held];
		else slot.held.push(held);
		const list = this.table.get(at);
		if (list) list.push(held);
		else this.table.set(at, [held]);
		this.held++;
		if (this.held > this.capacity) this.forgetOldest();
		if (entry === EACH_PACKET) return decision;
		if (hint !== undefined) keep(hint, held);
		// The verdict as kept, so that what is made of a verdict once (its JSON, its count) serves this packet too.
		return entry.verdict === decision.verdict ? decision : { ...decision, verdict: entry.verdict };
	}

	/** Decisions held. */
	get size(): number {
		return this.held;
	}

	private find(slot: Slot, packet: Packet): Held | undefined {
		for (let i = 0; i < slot.reads.length; i++) {
			const reads = slot.reads[i]!;
			const list = this.table.get(place(slot.hash, this.key.hashOf(packet, reads)));
			if (list) for (const held of list) if (held.slot === slot && held.reads === reads && this.key.sameOf(held.key, packet, reads)) return held;
		}
		return undefined;
	}

	private shared(hit: Hit): Hit {
		// By chain name and rule number (names are the ruleset's own strings, their hashes kept), then the rest.
		let byRule = this.hitObjects.get(hit.chain);
		if (byRule === undefined) this.hitObjects.set(hit.chain, (byRule = new Map()));
		const n = hit.rule ?? -1;
		const list = byRule.get(n);
		if (list === undefined) byRule.set(n, [hit]);
		else {
			for (const known of list) if (known.table === hit.table && known.type === hit.type && known.target === hit.target) return known;
			list.push(hit);
		}
		this.sharedCount++;
		return hit;
	}

	/** A verdict as kept: one object per verdict text and rule, so that what is made of it (its JSON, its count) is made once. */
	private sharedVerdict(verdict: Verdict): Verdict {
		const list = this.verdicts.get(verdict.text);
		if (list === undefined) this.verdicts.set(verdict.text, [verdict]);
		else {
			for (const known of list) if (known.table === verdict.table && known.chain === verdict.chain && known.rule === verdict.rule && known.target === verdict.target) return known;
			list.push(verdict);
		}
		this.sharedCount++;
		return verdict;
	}

	/** An arrival as kept: one object per interface and locality. */
	private sharedArrival(arrival: Decision['arrival']): Decision['arrival'] {
		let pair = this.arrivals.get(arrival.in);
		if (pair === undefined) this.arrivals.set(arrival.in, (pair = [undefined, undefined]));
		const at = arrival.local ? 1 : 0;
		return (pair[at] ??= arrival);
	}

	/** Drops the oldest keys until at most three quarters of the capacity is held. */
	private forgetOldest(): void {
		for (const [hash, bucket] of this.slots) {
			if (this.held <= (this.capacity * 3) >> 2) break;
			this.slots.delete(hash);
			for (const slot of bucket) {
				for (const held of slot.held) {
					const list = this.table.get(held.at)!;
					if (list.length === 1) this.table.delete(held.at);
					else list.splice(list.indexOf(held), 1);
				}
				this.held -= slot.held.length;
			}
		}
	}
}

function place(slotHash: number, readHash: number): number {
	const h = Math.imul(slotHash ^ readHash, 0x9e3779b1);
	return (h ^ (h >>> 16)) >>> 0;
}
