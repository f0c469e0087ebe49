import assert from 'node:assert/strict';
import { clonePacket, type Packet } from '../../../source/packet/packet.js';
import type { Hook, HostFacts, IpSetEntry, TargetEnv, TargetOutcome } from '../../../source/netfilter/extension.js';
import { parseRuleset } from '../../../source/netfilter/parse.js';
import type { Diagnostic, Rule } from '../../../source/netfilter/ruleset.js';
import { ParseError } from '../../../source/netfilter/tokens.js';
import { ip, makePacket } from '../../support/packets.js';

export { ip, makePacket };

export interface Rewrite {
	readonly description: string;
	readonly before: Packet;
	readonly after: Packet;
}

/** A TargetEnv that records what a target asks of it. */
export interface FakeEnv extends TargetEnv {
	readonly assumptions: string[];
	readonly rewrites: Rewrite[];
	untracked: number;
}

export interface FakeEnvOptions {
	hook?: Hook;
	table?: string;
	addresses?: HostFacts['addresses'];
	ipsets?: Record<string, IpSetEntry>;
	flowHash?: number;
}

export function fakeEnv(packet: Packet, options: FakeEnvOptions = {}): FakeEnv {
	const env: FakeEnv = {
		hook: options.hook ?? 'PREROUTING',
		table: options.table ?? 'mangle',
		host: {
			addresses: options.addresses ?? [],
			ipsets: new Map(Object.entries(options.ipsets ?? {})),
			groups: new Map(),
		},
		flowHash: options.flowHash ?? 0x12345678,
		assumptions: [],
		rewrites: [],
		untracked: 0,
		assume(text) {
			env.assumptions.push(text);
		},
		branch() {},
		rewrite(description, change) {
			const before = clonePacket(packet);
			change(packet);
			env.rewrites.push({ description, before, after: clonePacket(packet) });
		},
		sourceAddressFor() {
			return undefined;
		},
		untrack() {
			env.untracked++;
			packet.ctState = 'UNTRACKED';
		},
	};
	return env;
}

export interface Parsed {
	readonly rule: Rule;
	readonly warnings: readonly Diagnostic[];
}

/** Parses one rule line (as iptables-save writes it) inside `*table … COMMIT`; the rule is on line 2. */
export function parseRule(table: string, line: string, family: 4 | 6 = 4): Parsed {
	const ruleset = parseRuleset(`*${table}\n${line}\nCOMMIT\n`, { family });
	const chainName = line.split(/\s+/)[1]!;
	const rule = ruleset.tables.get(table)?.chains.get(chainName)?.rules[0];
	assert.ok(rule, `no rule parsed from ${line}`);
	assert.ok(rule.target?.extension, `target of ${line} is not a known extension`);
	return { rule, warnings: ruleset.warnings };
}

export interface Applied {
	readonly outcome: TargetOutcome;
	readonly env: FakeEnv;
	readonly packet: Packet;
}

/** Parses the rule and applies its target to the packet (changed in place) in a fresh fake env. */
export function applyRule(table: string, line: string, packet: Packet = makePacket(), options: FakeEnvOptions = {}): Applied {
	const { rule } = parseRule(table, line, packet.family);
	const env = fakeEnv(packet, { table, hook: (line.split(/\s+/)[1] as Hook) ?? 'PREROUTING', ...options });
	const outcome = rule.target!.extension!.apply(rule.target!.options, packet, env);
	return { outcome, env, packet };
}

/** Asserts the rule fails to parse at line 2, at the column of `at` in the line, with a reason matching `reason`. */
export function assertParseError(table: string, line: string, at: string, reason: RegExp, family: 4 | 6 = 4): void {
	const column = line.indexOf(at) + 1;
	assert.ok(column > 0, `"${at}" is not in the line`);
	assert.throws(
		() => parseRuleset(`*${table}\n${line}\nCOMMIT\n`, { family }),
		(error: unknown) => {
			assert.ok(error instanceof ParseError, `expected a ParseError, got ${String(error)}`);
			assert.equal(error.line, 2);
			assert.equal(error.column, column, `column of "${error.reason}"`);
			assert.match(error.reason, reason);
			return true;
		},
	);
}
