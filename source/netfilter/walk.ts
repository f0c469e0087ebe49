import { cidrContains, formatCidr, formatIp as fmt } from '../packet/address.js';
import { type Packet, protocolName } from '../packet/packet.js';
import type { MatchVerdict, TargetEnv, TargetOutcome } from './extension.js';
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
	readonly evaluations: RuleEvaluation[];
	readonly hits: Hit[];
}

export class ChainLoopError extends Error {}

/** Interface names with iptables' trailing `+` wildcard. */
function interfaceMatches(pattern: string, name: string | undefined): boolean {
	if (name === undefined) return false;
	return pattern.endsWith('+') ? name.startsWith(pattern.slice(0, -1)) : name === pattern;
}

function checkBasic(basic: BasicCriteria, packet: Packet): MatchVerdict {
	const { source, destination, protocol, inInterface, outInterface, fragment } = basic;
	if (source && cidrContains(source.value, packet.src) === source.negated) {
		return `source ${fmt(packet.src)} is ${source.negated ? '' : 'not '}in ${formatCidr(source.value)}`;
	}
	if (destination && cidrContains(destination.value, packet.dst) === destination.negated) {
		return `destination ${fmt(packet.dst)} is ${destination.negated ? '' : 'not '}in ${formatCidr(destination.value)}`;
	}
	if (protocol) {
		const wanted = protocol.value.number;
		const equal = wanted === 0 || packet.proto === wanted;
		if (equal === protocol.negated) return `protocol ${protocolName(packet.proto)} is ${protocol.negated ? '' : 'not '}${protocol.value.name}`;
	}
	if (inInterface && interfaceMatches(inInterface.value, packet.in) === inInterface.negated) {
		return packet.in === undefined ? `the packet has no input interface (-i ${inInterface.value})` : `input interface ${packet.in} is ${inInterface.negated ? '' : 'not '}${inInterface.value}`;
	}
	if (outInterface && interfaceMatches(outInterface.value, packet.out) === outInterface.negated) {
		return packet.out === undefined ? `the packet has no output interface yet (-o ${outInterface.value})` : `output interface ${packet.out} is ${outInterface.negated ? '' : 'not '}${outInterface.value}`;
	}
	if (fragment && packet.fragment === fragment.negated) return fragment.negated ? 'the packet is a non-first fragment' : 'the packet is not a non-first fragment';
	return null;
}

export function evaluateRule(rule: Rule, packet: Packet, env: TargetEnv): MatchVerdict {
	const basic = checkBasic(rule.basic, packet);
	if (basic) return basic;
	for (const match of rule.matches) {
		if (!match.extension) {
			env.assume(`match -m ${match.name} is unknown to netsleuth: assumed to match (${rule.table}/${rule.chain} line ${rule.line})`);
			continue;
		}
		const why = match.extension.evaluate(match.options, packet, env);
		if (why) return why;
	}
	return null;
}

interface Frame {
	chain: Chain;
	index: number;
	/** Frames entered by goto are skipped on return. */
	viaGoto: boolean;
}

/**
 * Walks a base chain as the kernel's ipt_do_table does: rules in order, jumps push a return point,
 * gotos do not, a user chain's end returns, a base chain's end applies its policy. `position`, when
 * given, always names the rule being evaluated (for extensions that report where they are).
 */
export function walkChain(table: Table, base: Chain, packet: Packet, env: TargetEnv, position?: { chain: string; rule: number }): ChainResult {
	const evaluations: RuleEvaluation[] = [];
	const hits: Hit[] = [];
	const stack: Frame[] = [];
	let frame: Frame = { chain: base, index: 0, viaGoto: false };
	const onStack = new Set<string>([base.name]);

	const policy = (): ChainResult => {
		const verdict = base.policy === 'DROP' ? 'drop' : 'accept';
		hits.push({ table: table.name, chain: base.name, type: 'policy', rule: null, target: base.policy ?? 'ACCEPT' });
		return { outcome: { kind: verdict }, chain: base.name, evaluations, hits };
	};

	/** Leaves the current chain; false when that was the base chain (policy applies). */
	const leave = (): boolean => {
		while (true) {
			const parent = stack.pop();
			if (!parent) return false;
			onStack.delete(frame.chain.name);
			const goneThroughGoto = frame.viaGoto;
			frame = parent;
			if (!goneThroughGoto) return true;
		}
	};

	for (;;) {
		const rule = frame.chain.rules[frame.index];
		if (!rule) {
			if (frame.chain !== base) hits.push({ table: table.name, chain: frame.chain.name, type: 'return', rule: null, target: null });
			if (frame.chain === base || !leave()) return policy();
			frame.index++;
			continue;
		}
		const number = frame.index + 1;
		if (position) {
			position.chain = frame.chain.name;
			position.rule = number;
		}
		const why = evaluateRule(rule, packet, env);
		evaluations.push({ table: table.name, chain: frame.chain.name, rule: number, text: rule.text, matched: why === null, ...(why ? { reason: why } : {}) });
		if (why) {
			frame.index++;
			continue;
		}
		const target = rule.target;
		hits.push({ table: table.name, chain: frame.chain.name, type: 'rule', rule: number, target: target?.name ?? null });
		if (!target) {
			frame.index++;
			continue;
		}
		const userChain = target.extension ? undefined : table.chains.get(target.name);
		if (userChain && !userChain.builtin) {
			if (onStack.has(userChain.name)) throw new ChainLoopError(`chain loop: ${[...onStack, userChain.name].join(' → ')} (${table.name} line ${rule.line})`);
			stack.push(frame);
			onStack.add(userChain.name);
			frame = { chain: userChain, index: 0, viaGoto: target.goto };
			continue;
		}
		if (!target.extension) {
			env.assume(`target ${target.name} is unknown to netsleuth: assumed to let the packet continue`);
			frame.index++;
			continue;
		}
		const outcome = target.extension.apply(target.options, packet, env);
		if (outcome.kind === 'continue') {
			frame.index++;
			continue;
		}
		if (outcome.kind === 'return') {
			if (frame.chain === base || !leave()) return policy();
			frame.index++;
			continue;
		}
		return { outcome, rule, ruleNumber: number, chain: frame.chain.name, evaluations, hits };
	}
}
