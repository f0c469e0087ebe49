import assert from 'node:assert/strict';
import type { EvalEnv, Hook, HostFacts, IpSetEntry, MatchVerdict } from '../../../source/netfilter/extension.js';
import { parseRuleset } from '../../../source/netfilter/parse.js';
import type { Diagnostic, MatchUse } from '../../../source/netfilter/ruleset.js';
import { ParseError } from '../../../source/netfilter/tokens.js';
import type { Packet } from '../../../source/packet/packet.js';
import { ip, makePacket } from '../../support/packets.js';

export { ip, makePacket };

export interface HostOptions {
	hook?: Hook;
	table?: string;
	addresses?: HostFacts['addresses'];
	ipsets?: Record<string, IpSetEntry>;
	groups?: Record<string, number>;
	flowHash?: number;
}

/** An EvalEnv that records the assumptions and random branches a match reports. */
export interface FakeEnv extends EvalEnv {
	readonly assumptions: string[];
	readonly branches: { probability: number; taken: boolean }[];
}

export function fakeEnv(options: HostOptions = {}): FakeEnv {
	const env: FakeEnv = {
		hook: options.hook ?? 'INPUT',
		table: options.table ?? 'filter',
		host: {
			addresses: options.addresses ?? [],
			ipsets: new Map(Object.entries(options.ipsets ?? {})),
			groups: new Map(Object.entries(options.groups ?? {})),
		},
		flowHash: options.flowHash ?? 0x12345678,
		assumptions: [],
		branches: [],
		assume(text) {
			env.assumptions.push(text);
		},
		branch(probability, taken) {
			env.branches.push({ probability, taken });
		},
	};
	return env;
}

/** A host with eth0 10.0.0.2/24 (broadcast 10.0.0.255), lo 127.0.0.1/8 and eth0 2001:db8::2/64. */
export const HOST_ADDRESSES: HostFacts['addresses'] = [
	{ ip: ip('127.0.0.1'), prefix: 8, dev: 'lo' },
	{ ip: ip('10.0.0.2'), prefix: 24, dev: 'eth0', broadcast: ip('10.0.0.255') },
	{ ip: ip('192.168.1.1'), prefix: 24, dev: 'eth1' },
	{ ip: ip('::1'), prefix: 128, dev: 'lo' },
	{ ip: ip('2001:db8::2'), prefix: 64, dev: 'eth0' },
];

export interface Parsed {
	readonly match: MatchUse;
	readonly warnings: readonly Diagnostic[];
}

/** Parses one rule line (iptables-save form, on line 2 of `*table … COMMIT`) and returns its match `name`. */
export function parseMatch(line: string, name: string, options: { table?: string; family?: 4 | 6 } = {}): Parsed {
	const table = options.table ?? 'filter';
	const ruleset = parseRuleset(`*${table}\n${line}\nCOMMIT\n`, { family: options.family ?? 4 });
	const chain = line.split(/\s+/)[1]!;
	const rule = ruleset.tables.get(table)?.chains.get(chain)?.rules[0];
	assert.ok(rule, `no rule parsed from ${line}`);
	const match = rule.matches.find((m) => m.name === name);
	assert.ok(match?.extension, `-m ${name} is not a known extension in ${line}`);
	return { match, warnings: ruleset.warnings };
}

export interface Evaluated {
	readonly verdict: MatchVerdict;
	readonly env: FakeEnv;
	readonly warnings: readonly Diagnostic[];
}

/**
 * Parses the rule and evaluates its match `name` on the packet. The hook is the rule's chain when it is a
 * built-in one (else INPUT), the table the rule's.
 */
export function evaluate(line: string, name: string, packet: Packet = makePacket(), options: HostOptions & { family?: 4 | 6 } = {}): Evaluated {
	const table = options.table ?? 'filter';
	const { match, warnings } = parseMatch(line, name, { table, family: options.family ?? packet.family });
	const chain = line.split(/\s+/)[1]!;
	const hook = (['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'].includes(chain) ? chain : 'INPUT') as Hook;
	const env = fakeEnv({ hook, ...options, table });
	return { verdict: match.extension!.evaluate(match.options, packet, env), env, warnings };
}

/** Asserts the rule fails to parse at line 2, at the column where `at` starts in the line, with a reason matching `reason`. */
export function assertParseError(line: string, at: string, reason: RegExp, options: { table?: string; family?: 4 | 6; occurrence?: number } = {}): void {
	let column = -1;
	for (let i = 0, from = 0; i <= (options.occurrence ?? 0); i++) {
		column = line.indexOf(at, from);
		from = column + 1;
	}
	assert.ok(column >= 0, `"${at}" is not in the line`);
	assert.throws(
		() => parseRuleset(`*${options.table ?? 'filter'}\n${line}\nCOMMIT\n`, { family: options.family ?? 4 }),
		(error: unknown) => {
			assert.ok(error instanceof ParseError, `expected a ParseError, got ${String(error)}`);
			assert.equal(error.line, 2);
			assert.equal(error.column, column + 1, `column of "${error.reason}"`);
			assert.match(error.reason, reason);
			return true;
		},
	);
}

/** Asserts the verdict is a reason (no match) that matches `reason`. */
export function assertNoMatch(verdict: MatchVerdict, reason: RegExp): void {
	assert.ok(verdict !== null, 'expected no match, got a match');
	assert.match(verdict, reason);
}
