import { clonePacket, type Packet, type PacketJson, packetToJson } from '../packet/packet.js';
import { DecisionMemo } from '../trace/decision-memo.js';
import type { Decision } from '../trace/model.js';
import { decidePacket, type HostModel } from '../trace/pipeline.js';
import type { PacketTracer, ReplayTrace } from './replay.js';

/** What the Replayer reads of a decision: the fate at once; the packet as it arrived and left only when read (a new or refused connection). */
class DecisionTrace implements ReplayTrace {
	readonly fate: ReplayTrace['fate'];
	readonly verdict: ReplayTrace['verdict'];
	readonly path: ReplayTrace['path'];
	readonly hits: ReplayTrace['hits'];
	readonly reply: true | undefined;
	readonly untracked: boolean;

	constructor(
		private readonly decision: Decision,
		private readonly input: Packet,
	) {
		this.fate = decision.fate;
		this.verdict = decision.verdict;
		this.path = decision.path;
		this.hits = decision.hits;
		this.reply = decision.answered ? true : undefined;
		this.untracked = decision.untracked;
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
		return packetToJson(this.decision.final);
	}
}

/**
 * The Replayer's tracer: decisions without traces (decidePacket), remembered per key (DecisionMemo) for
 * the host it was made for; the kernel's own answers are decided each time. Same fate, verdict, path
 * and packets as tracePacket (test/trace/decide.test.ts, test/trace/decision-memo.test.ts,
 * test/capture/replay-tracer.test.ts).
 */
export function replayTracer(host: HostModel): PacketTracer {
	const memo = new DecisionMemo(host);
	return (given, packet, options) => new DecisionTrace(options.isReply || given !== host ? decidePacket(given, packet, options) : memo.decide(packet, options.hint), packet);
}
