import { clonePacket, type Packet, type PacketJson, packetToJson } from '../packet/packet.js';
import { DecisionMemo, type Kept } from '../trace/decision-memo.js';
import type { Decision } from '../trace/model.js';
import { decidePacket, type HostModel } from '../trace/pipeline.js';
import type { PacketTracer, ReplayTrace } from './replay.js';

/**
 * What the Replayer reads of a decision: the fate at once; the packet as it arrived and as it left only
 * when read (a new or refused connection). A decision kept by the memo has no final packet: the packet is
 * walked again when it is read.
 */
class DecisionTrace implements ReplayTrace {
	readonly fate: ReplayTrace['fate'];
	readonly verdict: ReplayTrace['verdict'];
	readonly path: ReplayTrace['path'];
	readonly hits: ReplayTrace['hits'];
	readonly reply: true | undefined;
	readonly untracked: boolean;
	readonly setsConnmark: boolean;

	constructor(
		private readonly decision: Kept | Decision,
		private readonly input: Packet,
		private readonly host: HostModel,
	) {
		this.fate = decision.fate;
		this.verdict = decision.verdict;
		this.path = decision.path;
		this.hits = decision.hits;
		this.reply = decision.answered ? true : undefined;
		this.untracked = decision.untracked;
		this.setsConnmark = decision.setsConnmark;
	}

	get packet(): PacketJson {
		const arrived = clonePacket(this.input);
		const { arrival } = this.decision;
		if (arrival.in === undefined) delete arrived.in;
		else arrived.in = arrival.in;
		arrived.local = arrival.local;
		return packetToJson(arrived);
	}

	get final(): PacketJson {
		this.#final ??= packetToJson('final' in this.decision ? this.decision.final : decidePacket(this.host, this.input).final);
		return this.#final;
	}

	#final: PacketJson | undefined;
}

/**
 * The Replayer's tracer: decisions without traces (decidePacket), remembered per key (DecisionMemo) for
 * the host it was made for, and per connection direction (the hint the Replayer hands in); the kernel's
 * own answers are decided each time. Same fate, verdict, path and packets as tracePacket
 * (test/trace/decide.test.ts, test/trace/decision-memo.test.ts, test/capture/replay-tracer.test.ts).
 */
export function replayTracer(host: HostModel): PacketTracer {
	const memo = new DecisionMemo(host);
	return (given, packet, options) => {
		if (options.isReply || given !== host) return new DecisionTrace(decidePacket(given, packet, options), packet, given);
		return new DecisionTrace(memo.lookup(packet, options.hint) ?? memo.remember(packet, options.hint), packet, host);
	};
}
