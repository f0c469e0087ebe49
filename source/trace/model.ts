import type { Hook } from '../netfilter/extension.js';
import type { Hit, RuleEvaluation } from '../netfilter/walk.js';
import type { Packet, PacketJson } from '../packet/packet.js';

export type Path = 'input' | 'forward' | 'output' | 'bridge';
export type Fate = 'delivered' | 'forwarded' | 'sent' | 'dropped' | 'rejected' | 'queued';

export interface Verdict {
	readonly table: string | null;
	readonly chain: string | null;
	/** 1-based rule position; null when a policy (or routing) decided. */
	readonly rule: number | null;
	readonly target: string | null;
	readonly text: string;
}

export type Step =
	| {
			readonly kind: 'chain';
			readonly hook: Hook;
			readonly table: string;
			readonly chain: string;
			readonly evaluations: readonly RuleEvaluation[];
			/** ACCEPT, DROP, REJECT, QUEUE or the NAT target that decided. */
			readonly result: string;
			readonly decided_by: { readonly chain: string; readonly rule: number; readonly text: string } | 'policy';
	  }
	| { readonly kind: 'skip'; readonly hook: Hook; readonly table: string; readonly why: string }
	| { readonly kind: 'rewrite'; readonly hook: Hook; readonly table: string; readonly change: string; readonly before: PacketJson; readonly after: PacketJson }
	| {
			readonly kind: 'routing';
			readonly type: string;
			readonly dst: string;
			readonly dev: string | null;
			readonly gateway: string | null;
			readonly prefsrc: string | null;
			readonly table: string | null;
			readonly rule: number | null;
			readonly nexthops?: readonly { readonly gateway: string | null; readonly dev: string | null }[];
			readonly explanation: readonly string[];
			readonly reroute?: boolean;
	  }
	| {
			/** A bridge's decision for a frame that arrived on one of its ports (source/trace/bridge.ts). */
			readonly kind: 'bridge';
			readonly bridge: string;
			/** The port the frame arrived on. */
			readonly port: string;
			/** null: a MAC netsleuth does not know (typed packet without --dst-mac, and no neighbour entry). */
			readonly dst_mac: string | null;
			/** forward: out one port (fdb); flood: out every other port; up: to the host; drop. */
			readonly action: 'forward' | 'flood' | 'up' | 'drop';
			/** The ports it leaves by. */
			readonly out: readonly string[];
			/** The fdb entry that decided, if any. */
			readonly fdb: { readonly mac: string; readonly port: string; readonly state: string; readonly vlan?: number } | null;
			/** The vlan the frame is in (vlan filtering only). */
			readonly vlan?: number;
			/** br_netfilter handed the frame to iptables (PREROUTING, and FORWARD and POSTROUTING when bridged). */
			readonly iptables: boolean;
			readonly reason: string;
	  }
	| { readonly kind: 'note'; readonly text: string };

/**
 * One branch of a `-m statistic --mode random` load balancer (kube-proxy's KUBE-SVC chains): every
 * alternative of the chain, with its own probability, its share of all flows, and which one this flow takes.
 */
export interface Branch {
	readonly table: string;
	readonly chain: string;
	readonly rule: number;
	/** The rule's --probability; 1 for the unconditional last rule. */
	readonly probability: number;
	/** The share of flows that end up here: p × the chance no earlier branch was taken. */
	readonly share: number;
	readonly target: string | null;
	readonly taken: boolean;
}

/** What the kernel does with one packet, step by step (ARCHITECTURE.md §3 `trace --json`). */
export interface Trace {
	readonly packet: PacketJson;
	readonly path: Path;
	readonly fate: Fate;
	readonly verdict: Verdict;
	/** The fate in one sentence. */
	readonly summary: string;
	readonly steps: readonly Step[];
	readonly hits: readonly Hit[];
	readonly assumptions: readonly string[];
	readonly branches: readonly Branch[];
	/** The packet as it leaves (after NAT). */
	readonly final: PacketJson;
	/** When the kernel answers a refused packet (ICMP error, TCP RST): that answer's own trace out of the host. */
	readonly reply?: Trace;
}

/** What replaying a packet needs of its trace (decidePacket): the same fate, verdict, hits and final packet. */
export interface Decision {
	readonly path: Path;
	readonly fate: Fate;
	readonly verdict: Verdict;
	readonly hits: readonly Hit[];
	/** The packet as it leaves: NAT, marks, TTL, and the conntrack state (UNTRACKED after CT --notrack). */
	readonly final: Packet;
	/** Where the packet arrived: its interface, or sent by this host (as placed when the packet did not say). */
	readonly arrival: { readonly in: string | undefined; readonly local: boolean };
	/** The kernel answers it (REJECT's ICMP error or TCP RST, an unreachable route): tracePacket's `reply`. */
	readonly answered: boolean;
	/** It leaves untracked (CT --notrack, NOTRACK, or it came so): `final.ctState` without making `final`. */
	readonly untracked: boolean;
	/** It met a CONNMARK target: the connection's mark may change (a replay reads `final` only then). */
	readonly setsConnmark: boolean;
	/**
	 * What the extensions it consulted read beyond every decision's fields (READ_BITS), the source port when
	 * a random branch read the flow hash; READ_BITS.state: it holds for this packet only (decision-memo.ts).
	 */
	readonly reads: number;
}
