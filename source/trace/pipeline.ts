import { mix32 } from '../packet/hash.js';
import { type EvalEnv, type Hook, type HostFacts, READ_BITS, type TargetEnv, type TargetOutcome } from '../netfilter/extension.js';
import type { Chain, Ruleset } from '../netfilter/ruleset.js';
import { type ChainResult, type Hit, walkChain } from '../netfilter/walk.js';
import { cidrContains, formatIp, type Ip, ipEquals, parseIp } from '../packet/address.js';
import { clonePacket, type Packet, type PacketJson, packetToJson } from '../packet/packet.js';
import { lookupRoute, type RouteDecision, type RoutingState } from '../routing/lookup.js';
import { joinedByKernel6 } from '../routing/multicast6.js';
import type { LinkModel, Neighbour } from '../links/model.js';
import { bridgeFrame, resetOutPort } from './bridge.js';
import type { Branch, Decision, Fate, Path, Step, Trace, Verdict } from './model.js';

/** Everything the engine knows about a host: pure data, read by collectors elsewhere. */
export interface HostModel {
	readonly name: string;
	readonly rules4?: Ruleset;
	readonly rules6?: Ruleset;
	/** Absent when no routes were given: the path is then assumed from the packet and said so. */
	readonly routing?: RoutingState;
	readonly facts: HostFacts;
	/** sysctl keys as `sysctl -a` prints them. */
	readonly sysctl: ReadonlyMap<string, string>;
	/** Interfaces and bridges (ports, fdb, vlans): a frame arriving on a bridge port is bridged (source/trace/bridge.ts). */
	readonly links?: LinkModel;
	/** The neighbour table (`ip -j neigh`). */
	readonly neighbours?: readonly Neighbour[];
}

/** Tables per hook in the kernel's priority order (ARCHITECTURE.md §2; iptables-nft's INPUT differs, see tableOrder). */
const HOOK_TABLES: Readonly<Record<Hook, readonly string[]>> = {
	PREROUTING: ['raw', 'mangle', 'nat'],
	INPUT: ['mangle', 'filter', 'security', 'nat'],
	FORWARD: ['mangle', 'filter', 'security'],
	OUTPUT: ['raw', 'mangle', 'nat', 'filter', 'security'],
	POSTROUTING: ['mangle', 'nat'],
};

const NFT_INPUT_TABLES: readonly string[] = ['mangle', 'filter', 'nat', 'security'];

const VERDICT_NAMES: Readonly<Record<TargetOutcome['kind'], string>> = {
	accept: 'ACCEPT', drop: 'DROP', reject: 'REJECT', queue: 'NFQUEUE', nat: 'NAT', continue: 'CONTINUE', return: 'RETURN',
};

/** FNV-1a over the flow's 5-tuple: the same flow always takes the same random branch. */
export function flowHash(packet: Packet): number {
	let h = 0x811c9dc5;
	const mix = (n: number) => {
		h ^= n & 0xff; h = Math.imul(h, 0x01000193);
		h ^= (n >>> 8) & 0xff; h = Math.imul(h, 0x01000193);
		h ^= (n >>> 16) & 0xff; h = Math.imul(h, 0x01000193);
		h ^= n >>> 24; h = Math.imul(h, 0x01000193);
	};
	for (const w of packet.src.words) mix(w);
	for (const w of packet.dst.words) mix(w);
	mix(packet.proto);
	mix(((packet.sport ?? 0) << 16) | (packet.dport ?? 0));
	return mix32(h);
}

class Tracer {
	readonly steps: Step[] = [];
	readonly hits: Hit[] = [];
	readonly assumptions = new Set<string>();
	branches: Branch[] = [];
	private branchCount = 0;
	verdict: Verdict | undefined;
	/** The fate in one sentence (recording only). */
	summary = '';
	readonly hash: number;
	/** The one environment of a decision's walks (record false). */
	private decisionEnv: DecisionEnv | undefined;
	/** What the extensions consulted read beyond every decision's fields (READ_BITS; the flow hash counts as the source port). */
	reads = 0;

	/** A local packet's socket may be bound to a device (typed as --out): every route lookup honours it. */
	private readonly boundDevice: string | undefined;

	constructor(
		readonly host: HostModel,
		readonly packet: Packet,
		/** An ICMP error or RST the kernel makes: nf_ct_attach gives it the refused packet's connection. */
		readonly connectionAttached = false,
		/** false: a decision only (decidePacket) — no steps, reasons, assumptions or branches are recorded. */
		readonly record = true,
	) {
		this.hash = flowHash(packet);
		this.boundDevice = packet.local ? packet.out : undefined;
	}

	sysctl(key: string, fallback: string, what: string): string {
		const value = this.host.sysctl.get(key);
		if (value !== undefined) return value;
		if (this.record) this.assumptions.add(`${key} = ${fallback} (${what}; not in the host state)`);
		return fallback;
	}

	assume(text: string): void {
		if (this.record) this.assumptions.add(text);
	}

	private env(hook: Hook, table: string, chainName: () => { chain: string; rule: number }): TargetEnv {
		const tracer = this;
		const packet = this.packet;
		return {
			hook,
			table,
			host: this.host.facts,
			flowHash: this.hash,
			assume: (text) => this.assumptions.add(text),
			branch(_probability, taken) {
				const at = chainName();
				tracer.recordBranches(table, at.chain, taken ? at.rule : undefined);
			},
			rewrite(change, apply) {
				const before = packetToJson(packet);
				apply(packet);
				tracer.steps.push({ kind: 'rewrite', hook, table, change, before, after: packetToJson(packet) });
			},
			sourceAddressFor: (dev, dst) => this.sourceAddress(dev, dst),
			untrack() {
				packet.ctState = 'UNTRACKED';
			},
		};
	}

	/**
	 * iptables-nft registers security at priority 150 (legacy: 50), so in INPUT nat (100) comes before
	 * security there. Without a "# Generated by" line the backend is unknown: nf_tables is assumed.
	 */
	private tableOrder(hook: Hook, ruleset: Ruleset | undefined): readonly string[] {
		const order = HOOK_TABLES[hook];
		if (hook !== 'INPUT' || ruleset?.backend === 'legacy') return order;
		if (this.record && !ruleset?.backend && ruleset?.tables.get('security')?.chains.has('INPUT') && ruleset.tables.get('nat')?.chains.has('INPUT')) {
			this.assumptions.add('iptables backend unknown: assumed nf_tables, where nat INPUT runs before security INPUT (priority 100 < 150; legacy has security at 50)');
		}
		return NFT_INPUT_TABLES;
	}

	/** Lists every alternative of a load-balancing chain once, marking the one this flow takes. */
	recordBranches(tableName: string, chainName: string, takenRule: number | undefined): void {
		const ruleset = this.packet.family === 4 ? this.host.rules4 : this.host.rules6;
		const chain = ruleset?.tables.get(tableName)?.chains.get(chainName);
		if (!chain) return;
		const existing = this.branches.filter((b) => b.table === tableName && b.chain === chainName);
		if (existing.length) {
			if (takenRule !== undefined) this.branches = this.branches.map((b) => (b.table === tableName && b.chain === chainName ? { ...b, taken: b.rule === takenRule } : b));
			return;
		}
		let remaining = 1;
		let seenRandom = false;
		chain.rules.forEach((rule, index) => {
			const statistic = rule.matches.find((m) => m.name === 'statistic')?.options as { mode?: string; probability?: number; negated?: boolean } | undefined;
			const random = statistic?.mode === 'random' && !statistic.negated ? statistic.probability! : undefined;
			if (random === undefined && !(seenRandom && rule.matches.length === 0 && remaining > 0)) return;
			seenRandom = true;
			const probability = random ?? 1;
			this.branches.push({ table: tableName, chain: chainName, rule: index + 1, probability, share: remaining * probability, target: rule.target?.name ?? null, taken: index + 1 === takenRule });
			remaining *= 1 - probability;
		});
	}

	/** The address a packet leaving through `dev` towards `dst` gets: one in the same subnet, else the first. */
	sourceAddress(dev: string | undefined, dst: Ip): Ip | undefined {
		const candidates = this.host.facts.addresses.filter((a) => a.dev === dev && a.ip.family === dst.family);
		const sameSubnet = candidates.find((a) => {
			const cidr = { family: a.ip.family, words: a.ip.words, prefix: a.prefix, mask: maskOf(a.ip.family, a.prefix) };
			return cidrContains({ ...cidr, words: cidr.words.map((w, i) => (w & cidr.mask[i]!) >>> 0) }, dst);
		});
		return (sameSubnet ?? candidates[0])?.ip;
	}

	/** Runs every table of a hook in order; returns the outcome that ended the hook, or accept. */
	hook(hook: Hook, options: { nat?: boolean } = {}): TargetOutcome {
		const ruleset = this.packet.family === 4 ? this.host.rules4 : this.host.rules6;
		for (const tableName of this.tableOrder(hook, ruleset)) {
			if (tableName === 'nat' && options.nat !== false) this.recordedNat(hook);
			const table = ruleset?.tables.get(tableName);
			const base = table?.chains.get(hook);
			if (!table || !base || base.absent) continue;
			if (tableName === 'nat' && this.natSkipped(hook, ruleset!, options.nat === false)) continue;
			let position: { chain: string; rule: number } | undefined;
			let env: TargetEnv;
			if (this.record) {
				const at = { chain: hook as string, rule: 0 };
				position = at;
				env = this.env(hook, tableName, () => at);
			} else {
				const lean = (this.decisionEnv ??= new DecisionEnv(this));
				lean.hook = hook;
				lean.table = tableName;
				env = lean;
			}
			// raw runs before conntrack (priority -300 < -200): state matches there see no connection, i.e. INVALID;
			// except the kernel's own answers, which carry the refused packet's connection from the start.
			const tracked = this.packet.ctState;
			if (tableName === 'raw' && tracked !== 'UNTRACKED' && !this.connectionAttached) this.packet.ctState = 'INVALID';
			const result = walkChain(table, base, this.packet, env, position, this.record);
			if (tableName === 'raw' && this.packet.ctState === 'INVALID') this.packet.ctState = tracked;
			this.hits.push(...result.hits);
			// A flow that passed every random branch takes the chain's last, unconditional rule.
			for (const b of this.branches) {
				if (b.probability === 1 && !this.branches.some((o) => o.chain === b.chain && o.table === b.table && o.taken)) {
					if (result.hits.some((h) => h.type === 'rule' && h.table === b.table && h.chain === b.chain && h.rule === b.rule)) this.branches = this.branches.map((o) => (o === b ? { ...o, taken: true } : o));
				}
			}
			if (this.record) this.chainStep(hook, tableName, result);
			this.verdict = result.rule
				? { table: tableName, chain: result.chain, rule: result.ruleNumber!, target: result.rule.target?.name ?? null, text: result.rule.text }
				: policyVerdict(tableName, base);
			if (result.outcome.kind === 'drop' || result.outcome.kind === 'reject' || result.outcome.kind === 'queue') return result.outcome;
		}
		return { kind: 'accept' };
	}

	/**
	 * The nat table is not consulted for this packet: its translations were settled (`settled`: a packet
	 * looping back over lo), nothing is tracked, the packet is untracked, or its connection is not new.
	 * The reason is recorded as a skip step.
	 */
	private natSkipped(hook: Hook, ruleset: Ruleset, settled: boolean): boolean {
		const p = this.packet;
		let why: string;
		if (settled) why = 'the connection’s translations were settled when it left: nat is not consulted again';
		else if (!ruleset.usesConntrack) {
			this.assume(`no IPv${p.family} rule needs connection tracking, so the kernel is assumed to track none (other users of conntrack, e.g. nft tables or IPVS, would change that)`);
			why = 'connection tracking is off (no rule uses it): nat chains see only tracked packets';
		} else if (p.ctState === 'UNTRACKED') why = 'the packet is untracked (CT --notrack): nat never sees it';
		else if (p.ctState !== 'NEW' || p.ct.confirmed) {
			// A replay's later packets all come here: no words made for them when nothing is recorded.
			if (!this.record) return true;
			why = `nat is consulted only for a connection's first packet (state ${p.ctState}${p.ct.confirmed ? ', connection confirmed' : ''}); later packets get the recorded translation`;
		} else return false;
		if (this.record) this.steps.push({ kind: 'skip', hook, table: 'nat', why });
		return true;
	}

	/** The step of a chain walked: what decided and how (recording only). */
	private chainStep(hook: Hook, table: string, result: ChainResult): void {
		const decided = result.rule
			? { chain: result.chain, rule: result.ruleNumber!, text: result.rule.text }
			: ('policy' as const);
		const name = result.outcome.kind === 'nat' ? result.rule?.target?.name ?? 'NAT' : VERDICT_NAMES[result.outcome.kind];
		// The evaluations (thousands for a kube-proxy chain) are put into words only when read: JSON, display.
		this.steps.push({
			kind: 'chain', hook, table, chain: hook,
			get evaluations() {
				return result.evaluations;
			},
			result: name, decided_by: decided,
		});
	}

	/**
	 * A later packet of a connection whose first packet was translated gets the recorded translation where
	 * the kernel rewrites it (nf_nat_packet): the destination at PREROUTING/OUTPUT, the source at
	 * INPUT/POSTROUTING; a reply gets the inverse, taken from the other direction's tuple.
	 */
	private recordedNat(hook: Hook): void {
		const p = this.packet;
		const ct = p.ct;
		if (!ct.confirmed || !(ct.snat || ct.dnat) || (p.ctState !== 'NEW' && p.ctState !== 'ESTABLISHED' && p.ctState !== 'RELATED')) return;
		const destination = hook === 'PREROUTING' || hook === 'OUTPUT';
		const nat = destination ? (ct.reply ? ct.snat : ct.dnat) : ct.reply ? ct.dnat : ct.snat;
		if (!nat) return;
		const [ip, port] = destination
			? ct.reply ? [ct.origSrc, ct.origSport] : [ct.replSrc, ct.replSport]
			: ct.reply ? [ct.origDst, ct.origDport] : [ct.replDst, ct.replDport];
		const current = destination ? p.dst : p.src;
		const currentPort = destination ? p.dport : p.sport;
		const newPort = currentPort !== undefined ? port ?? currentPort : undefined;
		if (ipEquals(current, ip) && newPort === currentPort) return;
		const before = this.record ? packetToJson(p) : undefined;
		if (destination) {
			p.dst = ip;
			p.dport = newPort;
		} else {
			p.src = ip;
			p.sport = newPort;
		}
		if (!before) return;
		const where = (a: Ip, n: number | undefined) => `${formatIp(a)}${n !== undefined ? `:${n}` : ''}`;
		const what = `${destination !== ct.reply ? 'DNAT' : 'SNAT'} ${ct.reply ? 'undone' : 'applied'}`;
		this.steps.push({
			kind: 'rewrite', hook, table: 'nat', before, after: packetToJson(p),
			change: `conntrack: recorded ${what}: ${destination ? 'destination' : 'source'} ${where(current, currentPort)} → ${where(ip, newPort)}`,
		});
	}

	route(reroute = false): RouteDecision {
		const p = this.packet;
		const decision = this.host.routing ? lookupRoute(this.host.routing, {
			// The kernel's own answer (a RST for a forwarded packet comes from its destination) is routed with
			// FLOWI_FLAG_ANYSRC (ip_route_me_harder): its source need not be one of the host's addresses.
			family: p.family, dst: p.dst, src: this.connectionAttached && p.local ? undefined : p.src, iif: p.local ? undefined : p.in, oif: p.local ? this.boundDevice : undefined,
			mark: p.mark, tos: p.tos, proto: p.proto, sport: p.sport, dport: p.dport, uid: p.uid,
		}) : this.assumedRoute();
		if (this.record) this.steps.push({
			kind: 'routing', type: decision.type, dst: decision.dst ?? decision.address, dev: decision.dev, gateway: decision.gateway,
			prefsrc: decision.prefsrc, table: decision.table, rule: decision.rule,
			...(decision.nexthops ? { nexthops: decision.nexthops } : {}), explanation: decision.explanation, ...(reroute ? { reroute } : {}),
		});
		return decision;
	}

	/** Without routes: an arriving packet is for this host unless an out interface was given. */
	private assumedRoute(): RouteDecision {
		const p = this.packet;
		const forward = !p.local && p.out !== undefined;
		const type = p.local || forward ? 'unicast' : 'local';
		const text = p.local ? `sent out ${p.out ?? 'the default route'}` : forward ? `forwarded out ${p.out}` : 'for this host (local delivery)';
		this.assume(`no routes given: the packet is assumed ${text}`);
		return { type, address: formatIp(p.dst), dst: null, dev: p.out ?? null, gateway: null, prefsrc: null, table: null, rule: null, explanation: [`no routing state: assumed ${text}`] };
	}

	note(text: string): void {
		if (this.record) this.steps.push({ kind: 'note', text });
	}
}

/** The environment of a decision's walks (decidePacket): nothing recorded; the flow hash and extensions keeping state watched. */
class DecisionEnv implements TargetEnv {
	readonly quiet = true;
	hook: Hook = 'PREROUTING';
	table = '';

	constructor(private readonly tracer: Tracer) {}

	get host(): HostFacts {
		return this.tracer.host.facts;
	}

	get flowHash(): number {
		this.tracer.reads |= READ_BITS.sport;
		return this.tracer.hash;
	}

	assume(): void {}

	branch(): void {}

	rewrite(_change: string, apply: (packet: Packet) => void): void {
		apply(this.tracer.packet);
	}

	sourceAddressFor(dev: string | undefined, dst: Ip): Ip | undefined {
		return this.tracer.sourceAddress(dev, dst);
	}

	untrack(): void {
		this.tracer.packet.ctState = 'UNTRACKED';
	}

	consult(reads: number): void {
		this.tracer.reads |= reads;
	}
}

function maskOf(family: 4 | 6, prefix: number): number[] {
	const mask: number[] = [];
	for (let i = 0; i < (family === 4 ? 1 : 4); i++) {
		const bits = Math.max(0, Math.min(32, prefix - i * 32));
		mask.push(bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0);
	}
	return mask;
}

type ReplyKind = { readonly type: number; readonly code: number } | 'rst';

const REJECT_ICMP: Readonly<Record<string, readonly [number, number]>> = {
	'icmp-net-unreachable': [3, 0], 'icmp-host-unreachable': [3, 1], 'icmp-proto-unreachable': [3, 2], 'icmp-port-unreachable': [3, 3],
	'icmp-net-prohibited': [3, 9], 'icmp-host-prohibited': [3, 10], 'icmp-admin-prohibited': [3, 13],
	'icmp6-no-route': [1, 0], 'icmp6-adm-prohibited': [1, 1], 'icmp6-addr-unreachable': [1, 3], 'icmp6-port-unreachable': [1, 4],
	'icmp6-policy-fail': [1, 5], 'icmp6-reject-route': [1, 6],
};

/** The reply a REJECT sends, from its --reject-with (undefined when it sends none). */
function rejectReply(how: string, _family: 4 | 6): ReplyKind | undefined {
	if (how === 'tcp-reset') return 'rst';
	const icmp = REJECT_ICMP[how];
	return icmp ? { type: icmp[0], code: icmp[1] } : undefined;
}

/**
 * The packet the kernel sends back: a RST from the refused packet's destination, or an ICMP error from
 * the address the host would use towards the sender (the destination itself when it is local).
 */
function replyPacket(host: HostModel, t: Tracer, refused: Packet, kind: ReplyKind): Packet {
	const toSender = host.routing ? lookupRoute(host.routing, { family: refused.family, dst: refused.src }) : undefined;
	const local = host.facts.addresses.some((a) => ipEquals(a.ip, refused.dst));
	const src = kind === 'rst' || local ? refused.dst : (toSender?.prefsrc ? parseIp(toSender.prefsrc) : undefined) ?? t.sourceAddress(toSender?.dev ?? refused.in, refused.src) ?? refused.dst;
	const reply: Packet = {
		family: refused.family, proto: kind === 'rst' ? 6 : refused.family === 4 ? 1 : 58, src, dst: refused.src,
		mark: 0, ctmark: 0, ctState: 'RELATED', ctStateGiven: true,
		ct: { origSrc: refused.src, origDst: refused.dst, replSrc: refused.dst, replDst: refused.src, reply: true, seenReply: false, assured: false, confirmed: true, snat: false, dnat: false },
		local: true, length: kind === 'rst' ? 40 : 56, ttl: 64, tos: 0, fragment: false,
	};
	if (kind === 'rst') {
		reply.sport = refused.dport;
		reply.dport = refused.sport;
		reply.tcpFlags = 0x14; // RST,ACK
	} else {
		reply.icmpType = kind.type;
		reply.icmpCode = kind.code;
	}
	return reply;
}

/** What a route type does to a packet that is not for this host. */
function routeFailure(decision: RouteDecision, family: 4 | 6): { fate: Fate; text: string; answer?: ReplyKind } | undefined {
	const v4 = family === 4;
	switch (decision.type) {
		case 'blackhole': return { fate: 'dropped', text: `blackhole route ${decision.dst}` };
		case 'unreachable': return { fate: 'rejected', text: `unreachable route ${decision.dst} (ICMP host unreachable sent back)`, answer: v4 ? { type: 3, code: 1 } : { type: 1, code: 0 } };
		case 'prohibit': return { fate: 'rejected', text: `prohibit route ${decision.dst} (ICMP administratively prohibited sent back)`, answer: v4 ? { type: 3, code: 13 } : { type: 1, code: 1 } };
		case 'no-route': return { fate: 'rejected', text: 'no route to the destination (network unreachable)', answer: v4 ? { type: 3, code: 0 } : { type: 1, code: 0 } };
		case 'martian': return { fate: 'dropped', text: `martian address refused by the kernel (${decision.explanation.at(-1) ?? ''})` };
		default: return undefined;
	}
}

/**
 * Traces one packet through the host as the kernel would: the hooks and tables in order, the routing
 * decision, NAT and marks, to its fate. Pure: the host and the packet are data; the packet is not changed.
 */
export function tracePacket(host: HostModel, input: Packet, options: { isReply?: boolean } = {}): Trace {
	const { t, packet, original, path, fate, answer } = walkPacket(host, input, true, options.isReply === true);
	let summary = t.summary;
	// The kernel's own answer is a locally generated packet, RELATED to this one: OUTPUT may drop it.
	const answerPacket = answer && !options.isReply && !packet.local ? replyPacket(host, t, packet, answer) : undefined;
	// A RST for a frame br_netfilter handed to iptables goes straight out its bridge port, past OUTPUT (bridge.ts).
	const reply = answerPacket && (answer === 'rst' && packet.physIn !== undefined ? resetOutPort(answerPacket, packet.physIn) : tracePacket(host, answerPacket, { isReply: true }));
	if (reply && reply.fate !== 'sent') summary += `; the ${answer === 'rst' ? 'TCP RST' : 'ICMP error'} it sends back is ${reply.summary.replace(/^[A-Z]+/, (w) => w.toLowerCase())}`;
	return {
		...(reply ? { reply } : {}),
		packet: original!,
		path,
		fate,
		verdict: t.verdict ?? NO_VERDICT,
		summary,
		steps: t.steps,
		hits: t.hits,
		assumptions: [...t.assumptions],
		branches: t.branches,
		final: packetToJson(packet),
	};
}

const NO_VERDICT: Verdict = { table: null, chain: null, rule: null, target: null, text: 'no rule applied' };

/** A base chain's policy as the verdict, one object per chain and policy (every table a packet passes makes one). */
const policyVerdicts = new WeakMap<Chain, Verdict>();

function policyVerdict(table: string, base: Chain): Verdict {
	const policy = base.policy ?? 'ACCEPT';
	let verdict = policyVerdicts.get(base);
	if (verdict === undefined || verdict.target !== policy || verdict.table !== table) {
		verdict = Object.freeze({ table, chain: base.name, rule: null, target: policy, text: `policy ${policy} of ${table}/${base.name}` });
		policyVerdicts.set(base, verdict);
	}
	return verdict;
}

/**
 * The decision alone, for replaying captures: the same walk as tracePacket, recording no steps, reasons,
 * assumptions or branches, and no trace of the answer a REJECT sends. Its fate, verdict, hits and final
 * packet are tracePacket's (test/trace/decide.test.ts).
 */
export function decidePacket(host: HostModel, input: Packet, options: { isReply?: boolean } = {}): Decision {
	const { t, packet, path, fate, answer, arrival } = walkPacket(host, input, false, options.isReply === true);
	return {
		path, fate, verdict: t.verdict ?? NO_VERDICT, hits: t.hits, final: packet, arrival,
		answered: answer !== undefined && !options.isReply && !packet.local, untracked: packet.ctState === 'UNTRACKED', setsConnmark: t.hits.some((h) => h.target === 'CONNMARK'), reads: t.reads,
	};
}

interface Walked {
	readonly t: Tracer;
	/** The packet as it leaves. */
	readonly packet: Packet;
	/** The packet as it arrived (arrival placed), when recording. */
	readonly original: PacketJson | undefined;
	/** Where it arrived (placeArrival may say): the rest of `original`, when not recording, is the input's. */
	readonly arrival: Decision['arrival'];
	readonly path: Path;
	readonly fate: Fate;
	/** What the kernel sends back when it refuses the packet: an ICMP error or a TCP RST. */
	readonly answer: ReplyKind | undefined;
}

function walkPacket(host: HostModel, input: Packet, record: boolean, isReply: boolean): Walked {
	const packet = clonePacket(input);
	let answer: ReplyKind | undefined;
	const t = new Tracer(host, packet, isReply, record);
	if (!packet.ctStateGiven) t.assume(`conntrack state ${packet.ctState} (typed packet: the first of its connection)`);
	if (!packet.local && packet.in === undefined) placeArrival(host, packet, t);
	const original = record ? packetToJson(packet) : undefined;
	const arrival = { in: packet.in, local: packet.local };
	let path: Path;
	let fate: Fate;
	let summary: string;

	const stopped = (outcome: TargetOutcome): { fate: Fate; text: string } | undefined => {
		if (outcome.kind === 'drop') return { fate: 'dropped', text: 'DROPPED' };
		if (outcome.kind === 'reject') {
			answer = rejectReply(outcome.with, packet.family);
			return { fate: 'rejected', text: `REJECTED (${outcome.with})` };
		}
		if (outcome.kind === 'queue') {
			t.assume('NFQUEUE: the packet is handed to a userspace program; its fate is decided there and unknown');
			return { fate: 'queued', text: `QUEUED to userspace (queue ${outcome.queue})` };
		}
		return undefined;
	};
	const byVerdict = (text: string) => {
		const v = t.verdict;
		if (!record) return text;
		return v ? `${text} by ${v.table}/${v.chain} ${v.rule === null ? `policy ${v.target}` : `rule ${v.rule}: ${v.text.trim()}`}` : text;
	};

	/** Ends the walk when a hook stopped the packet (DROP, REJECT, NFQUEUE); undefined when it goes on. */
	const endIfStopped = (outcome: TargetOutcome): Walked | undefined => {
		const stop = stopped(outcome);
		if (!stop) return undefined;
		fate = stop.fate;
		summary = byVerdict(stop.text);
		return finish();
	};
	/** Ends the walk with what the kernel decides outside the rules (routing, sysctl, TTL): no rule is the verdict. */
	const endOutsideRules = (ending: Fate, text: string, verdictText: string = text): Walked => {
		fate = ending;
		summary = text;
		t.verdict = { table: null, chain: null, rule: null, target: null, text: verdictText };
		return finish();
	};

	// A frame arriving on a bridge port: bridged, flooded, dropped, or handed up to go on below (bridge.ts).
	const bridged = bridgeFrame(host, packet, t, { stopped, byVerdict });
	if (bridged?.kind === 'done') {
		path = bridged.path;
		fate = bridged.fate;
		summary = bridged.summary;
		return finish();
	}

	if (packet.local) {
		path = 'output';
		let decision = t.route();
		const failure = routeFailure(decision, packet.family);
		if (failure) return endOutsideRules(failure.fate, `${failure.text}: the packet is not sent`, failure.text);
		packet.out = decision.dev ?? packet.out;
		const before = { mark: packet.mark, dst: packet.dst };
		const stop = endIfStopped(t.hook('OUTPUT'));
		if (stop) return stop;
		if (packet.mark !== before.mark || !ipEquals(packet.dst, before.dst)) {
			t.note('mark or destination changed in OUTPUT: the kernel routes the packet again');
			decision = t.route(true);
			packet.out = decision.dev ?? packet.out;
		}
		const postStop = endIfStopped(t.hook('POSTROUTING'));
		if (postStop) return postStop;
		if (decision.type === 'local') return loopback();
		fate = 'sent';
		summary = `SENT out ${packet.out ?? 'an unknown interface'}${decision.gateway ? ` via ${decision.gateway}` : ''}`;
		return finish();
	}

	const pre = bridged?.preroutingDone ? ({ kind: 'accept' } as const) : t.hook('PREROUTING');
	path = 'input';
	const preStop = endIfStopped(pre);
	if (preStop) return preStop;
	const decision = t.route();
	const rpDrop = reversePathCheck(t, packet);
	if (rpDrop) {
		path = decision.type === 'local' ? 'input' : 'forward';
		return endOutsideRules('dropped', rpDrop);
	}
	const unjoined = decision.type === 'multicast' && packet.family === 6 ? notJoined6(t, packet) : undefined;
	if (unjoined) return endOutsideRules('dropped', `DROPPED before INPUT: ${unjoined}`, unjoined);
	if (decision.type === 'local' || decision.type === 'broadcast' || decision.type === 'multicast') {
		const verdictBefore = t.verdict;
		const stop = endIfStopped(t.hook('INPUT'));
		if (stop) return stop;
		fate = 'delivered';
		summary = byVerdict('DELIVERED to a local socket, accepted');
		if (t.verdict === verdictBefore) summary = 'DELIVERED to a local socket';
		return finish();
	}
	path = 'forward';
	const failure = routeFailure(decision, packet.family);
	if (failure) {
		answer = failure.answer;
		return endOutsideRules(failure.fate, failure.text);
	}
	const forwardingKey = packet.family === 4 ? 'net.ipv4.ip_forward' : 'net.ipv6.conf.all.forwarding';
	if (t.sysctl(forwardingKey, '1', 'forwarding assumed on') === '0') {
		return endOutsideRules('dropped', `DROPPED: the packet is not for this host and ${forwardingKey} = 0`, `${forwardingKey} = 0`);
	}
	if (packet.ttl <= 1) {
		answer = packet.family === 4 ? { type: 11, code: 0 } : { type: 3, code: 0 };
		return endOutsideRules('rejected', `TTL ${packet.ttl} expires here: the kernel drops the packet and sends ICMP time exceeded`, `${packet.family === 4 ? 'TTL' : 'hop limit'} exceeded in transit`);
	}
	// ip_forward decrements the TTL before the FORWARD hook: FORWARD and POSTROUTING see the new value.
	packet.ttl -= 1;
	packet.out = decision.dev ?? packet.out;
	const fwdStop = endIfStopped(t.hook('FORWARD'));
	if (fwdStop) return fwdStop;
	const postStop = endIfStopped(t.hook('POSTROUTING'));
	if (postStop) return postStop;
	fate = 'forwarded';
	summary = `FORWARDED out ${packet.out ?? '?'}${decision.gateway ? ` via ${decision.gateway}` : ''}`;
	return finish();

	/**
	 * A packet the host sends to itself loops back over lo: PREROUTING and INPUT once more, without nat
	 * (its connection's translations were settled in OUTPUT and POSTROUTING).
	 */
	function loopback(): Walked {
		t.note('the destination is this host: the packet loops back over lo into PREROUTING and INPUT');
		packet.in = packet.out ?? 'lo';
		packet.out = undefined;
		const stages: Hook[] = ['PREROUTING', 'INPUT'];
		for (const hook of stages) {
			const stop = endIfStopped(t.hook(hook, { nat: false }));
			if (stop) return stop;
		}
		fate = 'delivered';
		summary = 'DELIVERED to a local socket (over lo)';
		return finish();
	}

	function finish(): Walked {
		t.summary = summary;
		return { t, packet, original, arrival, path, fate, answer };
	}
}

/**
 * A packet typed without --in or --local: from one of the host's own addresses it is sent by the host;
 * otherwise it arrives on the interface the route back to its source leaves by. Either way, said so.
 */
function placeArrival(host: HostModel, packet: Packet, t: Tracer): void {
	if (host.facts.addresses.some((a) => ipEquals(a.ip, packet.src))) {
		packet.local = true;
		t.assume(`the source ${formatIp(packet.src)} is this host's address: the packet is assumed sent by this host (give --in to say otherwise)`);
		return;
	}
	const back = host.routing ? lookupRoute(host.routing, { family: packet.family, dst: packet.src }) : undefined;
	packet.in = back?.dev ?? 'eth0';
	t.assume(back?.dev ? `arrival interface ${back.dev}: the route back to ${formatIp(packet.src)} leaves by it (give --in to say otherwise)` : 'arrival interface unknown: assumed eth0 (give --in)');
}

/** ip6_mc_input: an IPv6 multicast packet for a group its interface is not known to have joined is freed (multicast routing is not simulated). */
function notJoined6(t: Tracer, packet: Packet): string | undefined {
	if (packet.in === undefined) return undefined;
	const forwarding = t.sysctl('net.ipv6.conf.all.forwarding', '1', 'forwarding assumed on') === '1';
	if (joinedByKernel6(packet.dst, packet.in, t.host.facts.addresses, forwarding)) return undefined;
	t.assume('multicast groups joined by programs are not in the host state: only all-nodes, solicited-node and (forwarding) all-routers are taken as joined');
	return `${packet.in} is not known to have joined ${formatIp(packet.dst)}`;
}

/** rp_filter: 1 drops a packet whose source would not route back out the same interface, 2 when it would not route at all. */
function reversePathCheck(t: Tracer, packet: Packet): string | undefined {
	if (packet.family !== 4 || !packet.in || !t.host.routing) return undefined;
	const all = Number(t.host.sysctl.get('net.ipv4.conf.all.rp_filter') ?? '0');
	const own = Number(t.host.sysctl.get(`net.ipv4.conf.${packet.in}.rp_filter`) ?? '0');
	if (!t.host.sysctl.has('net.ipv4.conf.all.rp_filter')) t.assume('rp_filter = 0 (reverse path filtering assumed off; not in the host state)');
	const mode = Math.max(all, own);
	if (mode === 0) return undefined;
	const back = lookupRoute(t.host.routing, { family: 4, dst: packet.src, src: packet.dst, mark: packet.mark, oif: undefined });
	const routable = back.type === 'unicast' || back.type === 'local';
	if (!routable) return `DROPPED by rp_filter=${mode}: no route back to ${formatIp(packet.src)}`;
	if (mode === 1 && back.dev !== packet.in) return `DROPPED by rp_filter=1: the route back to ${formatIp(packet.src)} leaves by ${back.dev}, not ${packet.in}`;
	return undefined;
}
