import type { Packet } from '../../packet/packet.js';
import type { EvalEnv, OptionUse, ParseContext } from '../extension.js';
import type { Token } from '../tokens.js';

/**
 * The options written after `-j NAME`, checked as iptables checks them before it looks at any value: each
 * option known to the target, none negated, none given twice. Returned by name, in the order written.
 */
export function targetOptions(uses: readonly OptionUse[], ctx: ParseContext, target: string, known: readonly string[]): Map<string, OptionUse> {
	const seen = new Map<string, OptionUse>();
	for (const use of uses) {
		if (!known.includes(use.name)) ctx.unknown(target, use);
		if (use.negated) ctx.fail(use.token, `${target}: option "${use.name}" cannot be inverted`);
		if (seen.has(use.name)) ctx.fail(use.token, `${target}: option "${use.name}" can only be used once`);
		seen.set(use.name, use);
	}
	return seen;
}

/** Fails at the later of two options iptables refuses together. */
export function exclusive(ctx: ParseContext, options: Map<string, OptionUse>, target: string, names: readonly string[]): void {
	const given = names.map((n) => options.get(n)).filter((u): u is OptionUse => u !== undefined);
	if (given.length < 2) return;
	const [first, second] = [...given].sort((a, b) => a.token.column - b.token.column);
	ctx.fail(second!.token, `${target}: option "${second!.name}" cannot be used together with "${first!.name}"`);
}

/** A flag option: present or not, no value. */
export function flag(ctx: ParseContext, options: Map<string, OptionUse>, name: string): boolean {
	const use = options.get(name);
	if (!use) return false;
	ctx.noArgs(use);
	return true;
}

/** The single value of an option, or undefined when the option is absent. */
export function value(ctx: ParseContext, options: Map<string, OptionUse>, name: string, expected: string): Token | undefined {
	const use = options.get(name);
	return use ? ctx.arg(use, expected) : undefined;
}

/** An unsigned integer option (decimal or 0x hex), or undefined when absent. */
export function integerOption(ctx: ParseContext, options: Map<string, OptionUse>, name: string, what: string, min: number, max: number): number | undefined {
	const token = value(ctx, options, name, what);
	return token ? ctx.integer(token, what, min, max) : undefined;
}

export const hex = (n: number, width = 0): string => `0x${(n >>> 0).toString(16).padStart(width, '0')}`;

/**
 * Whether conntrack has attached a connection to the packet where this target runs. It has not for an
 * INVALID or UNTRACKED packet, nor in the raw table, which runs before conntrack — except in PREROUTING for
 * a packet looped back over lo, which keeps the connection it got on the way out (checked on Linux 6.18).
 */
export function hasConnection(packet: Packet, env: EvalEnv): boolean {
	if (packet.ctState === 'UNTRACKED' || packet.ctState === 'INVALID') return false;
	if (env.table === 'raw') return env.hook === 'PREROUTING' && packet.in === 'lo';
	return true;
}
