import { cidrContains, formatCidr, formatIp as fmt, type Ip } from '../packet/address.js';
import { type Packet, protocolName } from '../packet/packet.js';
import { type ChainIndex, chainIndex, nextCandidate, skippedReason } from './chain-index.js';
import type { MatchVerdict, TargetEnv, TargetOutcome } from './extension.js';
import { targetReads } from './reads.js';
import type { BasicCriteria, Chain, Rule, Table } from './ruleset.js';

/** One rule looked at: matched or not and, when not, the first criterion that failed. */
export interface RuleEvaluation {
	readonly table: string;
	readonly chain: string;
	/** 1-based position in its chain. */
	readonly rule: number;
	readonly text: string;
	readonly matched: boolean;
	readonly reason?: string;
}

/** An event the kernel's own trace reports (ARCHITECTURE.md §3 `hits`). */
export interface Hit {
	readonly table: string;
	readonly chain: string;
	readonly type: 'rule' | 'return' | 'policy';
	readonly rule: number | null;
	readonly target: string | null;
}

export interface ChainResult {
	/** accept, drop, reject, queue or nat: what leaves the base chain. */
	readonly outcome: TargetOutcome;
	/** The rule that decided, or undefined when the policy did. */
	readonly rule?: Rule;
	readonly ruleNumber?: number;
	readonly chain: string;
	/** Built from the walker's notes the first time it is read (reasons included). */
	readonly evaluations: RuleEvaluation[];
	readonly hits: Hit[];
}

/**
 * The chain index (chain-index.ts) is on unless turned off here: the equivalence test and the benchmark
 * (through `trace`'s NETSLEUTH_CHAIN_INDEX=0) walk both ways. Traces are identical either way.
 */
let indexEnabled = true;
export function setChainIndex(enabled: boolean): void {
	indexEnabled = enabled;
}

export class ChainLoopError extends Error {}

/** Interface names with iptables' trailing `+` wildcard. */
function interfaceMatches(pattern: string, name: string | undefined): boolean {
	if (name === undefined) return false;
	return pattern.endsWith('+') ? name.startsWith(pattern.slice(0, -1)) : name === pattern;
}

/** The packet's fields iptables' own criteria look at, as they were when a rule was evaluated. */
interface BasicFields {
	readonly src: Ip;
	readonly dst: Ip;
	readonly proto: number;
	readonly in?: string | undefined;
	readonly out?: string | undefined;
	readonly fragment: boolean;
}

// Which of iptables' own criteria failed first (0: none).
const SOURCE = 1;
const DESTINATION = 2;
const PROTOCOL = 3;
const IN = 4;
const OUT = 5;
const FRAGMENT = 6;

/** The first of -s -d -p -i -o -f that the packet fails, or 0; the words come later (basicReason). */
function basicMiss(basic: BasicCriteria, packet: BasicFields): number {
	const { source, destination, protocol, inInterface, outInterface, fragment } = basic;
	if (source && cidrContains(source.value, packet.src) === source.negated) return SOURCE;
	if (destination && cidrContains(destination.value, packet.dst) === destination.negated) return DESTINATION;
	if (protocol) {
		const wanted = protocol.value.number;
		const equal = wanted === 0 || packet.proto === wanted;
		if (equal === protocol.negated) return PROTOCOL;
	}
	if (inInterface && interfaceMatches(inInterface.value, packet.in) === inInterface.negated) return IN;
	if (outInterface && interfaceMatches(outInterface.value, packet.out) === outInterface.negated) return OUT;
	if (fragment && packet.fragment === fragment.negated) return FRAGMENT;
	return 0;
}

/** Why a criterion failed, in words, from the packet's fields at the time. */
function basicReason(basic: BasicCriteria, miss: number, packet: BasicFields): string {
	switch (miss) {
		case SOURCE: {
			const source = basic.source!;
			return `source ${fmt(packet.src)} is ${source.negated ? '' : 'not '}in ${formatCidr(source.value)}`;
		}
		case DESTINATION: {
			const destination = basic.destination!;
			return `destination ${fmt(packet.dst)} is ${destination.negated ? '' : 'not '}in ${formatCidr(destination.value)}`;
		}
		case PROTOCOL: {
			const protocol = basic.protocol!;
			return `protocol ${protocolName(packet.proto)} is ${protocol.negated ? '' : 'not '}${protocol.value.name}`;
		}
		case IN: {
			const inInterface = basic.inInterface!;
			return packet.in === undefined ? `the packet has no input interface (-i ${inInterface.value})` : `input interface ${packet.in} is ${inInterface.negated ? '' : 'not '}${inInterface.value}`;
		}
		case OUT: {
			const outInterface = basic.outInterface!;
			return packet.out === undefined ? `the packet has no output interface yet (-o ${outInterface.value})` : `output interface ${packet.out} is ${outInterface.negated ? '' : 'not '}${outInterface.value}`;
		}
		default:
			return basic.fragment!.negated ? 'the packet is a non-first fragment' : 'the packet is not a non-first fragment';
	}
}

function checkBasic(basic: BasicCriteria, packet: Packet): MatchVerdict {
	const miss = basicMiss(basic, packet);
	return miss === 0 ? null : basicReason(basic, miss, packet);
}

/** The rule's extensions in order: null when all match, else the first one's reason. */
function evaluateMatches(rule: Rule, packet: Packet, env: TargetEnv): MatchVerdict {
	for (const match of rule.matches) {
		if (!match.extension) {
			env.assume(`match -m ${match.name} is unknown to netsleuth: assumed to match (${rule.table}/${rule.chain} line ${rule.line})`);
			continue;
		}
		if (env.consult) env.consult(match.reads);
		const why = match.extension.evaluate(match.options, packet, env);
		if (why) return why;
	}
	return null;
}

export function evaluateRule(rule: Rule, packet: Packet, env: TargetEnv): MatchVerdict {
	const basic = checkBasic(rule.basic, packet);
	if (basic) return basic;
	return evaluateMatches(rule, packet, env);
}

// What the walker notes about rules; the RuleEvaluation objects are made from the notes when read.
const MATCHED = 0;
/** An extension said why not (the words are in `why`). */
const EXTENSION_MISS = -1;
/** Rules at..end-1 stepped over by the chain index: each for another destination (`why` holds the packet's). */
const SKIPPED = -2;
// Positive: one of iptables' own criteria failed (SOURCE … FRAGMENT); the packet's fields are in `fields`.

class Note {
	constructor(
		readonly chain: Chain,
		readonly at: number,
		readonly end: number,
		readonly kind: number,
		readonly why: string | undefined,
		readonly fields: BasicFields | undefined,
	) {}
}

function evaluationsOf(table: string, notes: readonly Note[]): RuleEvaluation[] {
	const out: RuleEvaluation[] = [];
	for (const note of notes) {
		const chain = note.chain.name;
		const rules = note.chain.rules;
		if (note.kind === SKIPPED) {
			for (let k = note.at; k < note.end; k++) {
				const rule = rules[k]!;
				out.push({ table, chain, rule: k + 1, text: rule.text, matched: false, reason: skippedReason(rule, note.why!) });
			}
			continue;
		}
		const rule = rules[note.at]!;
		if (note.kind === MATCHED) out.push({ table, chain, rule: note.at + 1, text: rule.text, matched: true });
		else out.push({ table, chain, rule: note.at + 1, text: rule.text, matched: false, reason: note.kind === EXTENSION_MISS ? note.why! : basicReason(rule.basic, note.kind, note.fields!) });
	}
	return out;
}

interface Frame {
	chain: Chain;
	index: number;
	/** Frames entered by goto are skipped on return. */
	viaGoto: boolean;
	/** The chain's index, when it has one and the index is on. */
	lookup: ChainIndex | undefined;
}

/** What a walk that records nothing (record: false) gives for the evaluations. */
const NOT_RECORDED: RuleEvaluation[] = [];

function resultOf(table: string, notes: Note[] | undefined, hits: Hit[], fields: Omit<ChainResult, 'evaluations' | 'hits'>): ChainResult {
	if (!notes) return { outcome: fields.outcome, rule: fields.rule, ruleNumber: fields.ruleNumber, chain: fields.chain, evaluations: NOT_RECORDED, hits };
	let evaluations: RuleEvaluation[] | undefined;
	return {
		...fields,
		get evaluations(): RuleEvaluation[] {
			evaluations ??= evaluationsOf(table, notes);
			return evaluations;
		},
		hits,
	};
}

/** The base chain's policy decides. */
function policy(table: Table, base: Chain, notes: Note[] | undefined, hits: Hit[]): ChainResult {
	const verdict = base.policy === 'DROP' ? 'drop' : 'accept';
	hits.push({ table: table.name, chain: base.name, type: 'policy', rule: null, target: base.policy ?? 'ACCEPT' });
	return resultOf(table.name, notes, hits, { outcome: { kind: verdict }, chain: base.name });
}

/** Leaves the current chain (and those entered by goto on the way): the frame to go on in, undefined when that was the base chain. */
function leave(stack: Frame[], frame: Frame): Frame | undefined {
	let current = frame;
	while (true) {
		const parent = stack.pop();
		if (!parent) return undefined;
		const goneThroughGoto = current.viaGoto;
		current = parent;
		if (!goneThroughGoto) return current;
	}
}

/**
 * Walks a base chain as the kernel's ipt_do_table does: rules in order, jumps push a return point,
 * gotos do not, a user chain's end returns, a base chain's end applies its policy. `position`, when
 * given, always names the rule being evaluated (for extensions that report where they are).
 *
 * With the chain index, rules that certainly do not concern the packet (chain-index.ts) are stepped
 * over and noted with the reason the rule-by-rule walk gives them; the evaluations, hits and outcome are
 * the same either way. Reasons are put into words only when the evaluations are read.
 *
 * With `record` false (a replay's decisions) nothing is noted: the evaluations are empty, the outcome
 * and hits are the same.
 */
export function walkChain(table: Table, base: Chain, packet: Packet, env: TargetEnv, position?: { chain: string; rule: number }, record = true): ChainResult {
	const notes: Note[] | undefined = record ? [] : undefined;
	const hits: Hit[] = [];
	const stack: Frame[] = [];
	const useIndex = indexEnabled;
	let frame: Frame = { chain: base, index: 0, viaGoto: false, lookup: useIndex ? chainIndex(base) : undefined };
	/** The packet's basic fields as they are now; dropped whenever an extension or a target ran (it may have changed them). */
	let fields: BasicFields | undefined;
	// (Helpers are functions of their own, not closures: a replay makes this walk tens of thousands of times.)

	for (;;) {
		const rules = frame.chain.rules;
		if (frame.lookup && frame.index < rules.length) {
			const next = nextCandidate(frame.lookup, packet, frame.index, rules.length);
			if (next > frame.index) {
				notes?.push(new Note(frame.chain, frame.index, next, SKIPPED, fmt(packet.dst), undefined));
				frame.index = next;
			}
		}
		const rule = rules[frame.index];
		if (!rule) {
			if (frame.chain !== base) hits.push({ table: table.name, chain: frame.chain.name, type: 'return', rule: null, target: null });
			const parent = frame.chain === base ? undefined : leave(stack, frame);
			if (parent === undefined) return policy(table, base, notes, hits);
			frame = parent;
			frame.index++;
			continue;
		}
		const number = frame.index + 1;
		if (position) {
			position.chain = frame.chain.name;
			position.rule = number;
		}
		const miss = basicMiss(rule.basic, packet);
		if (miss !== 0) {
			if (notes) {
				fields ??= { src: packet.src, dst: packet.dst, proto: packet.proto, in: packet.in, out: packet.out, fragment: packet.fragment };
				notes.push(new Note(frame.chain, frame.index, number, miss, undefined, fields));
			}
			frame.index++;
			continue;
		}
		let why: MatchVerdict = null;
		if (rule.matches.length) {
			why = evaluateMatches(rule, packet, env);
			fields = undefined;
		}
		if (why) {
			notes?.push(new Note(frame.chain, frame.index, number, EXTENSION_MISS, why, undefined));
			frame.index++;
			continue;
		}
		notes?.push(new Note(frame.chain, frame.index, number, MATCHED, undefined, undefined));
		const target = rule.target;
		hits.push({ table: table.name, chain: frame.chain.name, type: 'rule', rule: number, target: target?.name ?? null });
		if (!target) {
			frame.index++;
			continue;
		}
		const userChain = target.extension ? undefined : table.chains.get(target.name);
		if (userChain && !userChain.builtin) {
			if (frame.chain === userChain || stack.some((f) => f.chain === userChain)) throw new ChainLoopError(`chain loop: ${[...stack.map((f) => f.chain.name), frame.chain.name, userChain.name].join(' → ')} (${table.name} line ${rule.line})`);
			stack.push(frame);
			frame = { chain: userChain, index: 0, viaGoto: target.goto, lookup: useIndex ? chainIndex(userChain) : undefined };
			continue;
		}
		if (!target.extension) {
			env.assume(`target ${target.name} is unknown to netsleuth: assumed to let the packet continue`);
			frame.index++;
			continue;
		}
		if (env.consult) env.consult(targetReads(target.extension));
		const outcome = target.extension.apply(target.options, packet, env);
		fields = undefined;
		if (outcome.kind === 'continue') {
			frame.index++;
			continue;
		}
		if (outcome.kind === 'return') {
			const parent = frame.chain === base ? undefined : leave(stack, frame);
			if (parent === undefined) return policy(table, base, notes, hits);
			frame = parent;
			frame.index++;
			continue;
		}
		return resultOf(table.name, notes, hits, { outcome, rule, ruleNumber: number, chain: frame.chain.name });
	}
}
