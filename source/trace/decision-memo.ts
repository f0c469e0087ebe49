import { rulesetReads } from '../netfilter/reads.js';
import type { Packet } from '../packet/packet.js';
import { type DecisionKey, decisionKey, type KeyRecord } from './decision-key.js';
import type { Decision } from './model.js';
import { decidePacket, type HostModel } from './pipeline.js';

/** A decision that consulted an extension keeping state across packets: never taken again. */
const EACH_PACKET = 0;

/** A decision as kept: without its final packet (made anew for each packet that reads it). */
type Kept = Omit<Decision, 'final'>;

type Entry = Kept | typeof EACH_PACKET;

/** The packets of one key: the decision, or, when a random branch read the flow hash, one per source port. */
interface Slot {
	/** The key, as the first packet with it had it. */
	readonly key: KeyRecord;
	readonly entry: Entry | Map<number | undefined, Entry>;
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
	readonly flowHashRead: boolean;
	readonly usedState: boolean;
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
		this.flowHashRead = decision.flowHashRead;
		this.usedState = decision.usedState;
	}

	get final(): Packet {
		this.#final ??= decidePacket(this.host, this.input).final;
		return this.#final;
	}
}

/**
 * decidePacket with a memo, for replaying captures: packets whose decision-relevant fields are equal
 * (decision-key.ts: the fields every decision reads, and those the loaded rules declare they read) get
 * the decision already made (fate, verdict, hits); its final packet is the packet's own, walked when read.
 * The packet given must not change until then.
 *
 * Sound because the walk is deterministic in what it reads: two packets with the same key walk alike
 * until one reads something outside the key. The only such thing is the flow hash (random branches),
 * watched as it is read: such decisions are kept per source port (the hash's one field outside the key).
 * A decision that consulted an extension keeping state across packets (limit, recent, quota, statistic
 * nth, time, …) is not taken again, nor any other for its key. At most about `capacity` decisions are
 * held: the oldest keys go first. test/trace/decision-memo.test.ts checks memo against no memo on random
 * rulesets and captures.
 */
export class DecisionMemo {
	private readonly key: DecisionKey;
	private readonly slots = new Map<number, Slot[]>();
	/** Decisions held. */
	private held = 0;
	/** Decisions taken from the memo, and made. */
	hits = 0;
	misses = 0;

	constructor(
		readonly host: HostModel,
		readonly capacity = 16_384,
	) {
		const reads = rulesetReads([host.rules4, host.rules6]);
		// Policy routing rules with --sport read it too.
		const routedBySport = host.routing?.rules.some((rule) => rule.sport !== undefined) === true;
		this.key = decisionKey(routedBySport ? { ...reads, sport: true } : reads);
	}

	/** The decision for a packet (not the kernel's own answer: decidePacket's isReply). */
	decide(packet: Packet): Decision {
		const hash = this.key.hash(packet);
		const bucket = this.slots.get(hash);
		let slot: Slot | undefined;
		if (bucket) {
			for (const s of bucket) {
				if (this.key.same(s.key, packet)) {
					slot = s;
					break;
				}
			}
		}
		const found = slot?.entry instanceof Map ? slot.entry.get(packet.sport) : slot?.entry;
		if (found !== undefined && found !== EACH_PACKET) {
			this.hits++;
			return new Remembered(found, this.host, packet);
		}
		this.misses++;
		const decision = decidePacket(this.host, packet);
		if (found === EACH_PACKET) return decision;
		const entry: Entry = decision.usedState ? EACH_PACKET : {
			path: decision.path, fate: decision.fate, verdict: decision.verdict, hits: decision.hits, arrival: decision.arrival,
			answered: decision.answered, untracked: decision.untracked, flowHashRead: decision.flowHashRead, usedState: false,
		};
		if (slot?.entry instanceof Map) slot.entry.set(packet.sport, entry);
		else {
			const byFlow = decision.flowHashRead && !this.key.sport;
			const made: Slot = { key: this.key.record(packet), entry: byFlow ? new Map([[packet.sport, entry]]) : entry };
			if (bucket) bucket.push(made);
			else this.slots.set(hash, [made]);
		}
		this.held++;
		if (this.held > this.capacity) this.forgetOldest();
		return decision;
	}

	/** Decisions held. */
	get size(): number {
		return this.held;
	}

	/** Drops the oldest keys until at most three quarters of the capacity is held. */
	private forgetOldest(): void {
		for (const [hash, bucket] of this.slots) {
			if (this.held <= (this.capacity * 3) >> 2) break;
			this.slots.delete(hash);
			for (const slot of bucket) this.held -= slot.entry instanceof Map ? slot.entry.size : 1;
		}
	}
}
