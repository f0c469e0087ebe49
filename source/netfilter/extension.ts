import type { Cidr, Ip } from '../packet/address.js';
import type { Packet } from '../packet/packet.js';
import { ParseError, type Token } from './tokens.js';

/** One `[!] --option [args…]` as written after `-m module` or `-j TARGET`. */
export interface OptionUse {
	readonly name: string;
	readonly negated: boolean;
	readonly args: readonly Token[];
	readonly token: Token;
}

export type Hook = 'PREROUTING' | 'INPUT' | 'FORWARD' | 'OUTPUT' | 'POSTROUTING';

export interface IpSetEntry {
	readonly type: string;
	/** Each member as the list of its dimensions' texts: "10.0.0.1", "10.0.0.0/8,tcp:80". */
	readonly members: readonly string[];
}

/** What the rules can ask of the host while the packet is being evaluated. */
export interface HostFacts {
	/** Addresses configured on this host, with the interface that holds each. */
	readonly addresses: readonly { ip: Ip; prefix: number; dev: string; broadcast?: Ip }[];
	readonly ipsets: ReadonlyMap<string, IpSetEntry>;
	/** Interface group numbers (devgroup). */
	readonly groups: ReadonlyMap<string, number>;
}

export interface EvalEnv {
	readonly hook: Hook;
	readonly table: string;
	readonly host: HostFacts;
	/** A stable hash of the flow's 5-tuple: chooses random branches deterministically. */
	readonly flowHash: number;
	/** Records something the verdict depends on that netsleuth cannot know. */
	assume(text: string): void;
	/** Records a -m statistic --mode random branch: its probability and the value drawn. */
	branch(probability: number, taken: boolean): void;
	/** Told, when a decision is being made (decidePacket), of what each extension it consults reads (READ_BITS): the decision memo's key. */
	consult?(reads: number): void;
	/**
	 * A decision is being made (decidePacket): no reason or assumption is read, so an extension may spare
	 * putting them into words (a verdict that does not match is still a non-empty reason).
	 */
	readonly quiet?: boolean;
}

/**
 * What an extension's verdict or action reads of the packet beyond the fields every decision reads
 * (addresses, protocol, destination port, interfaces, MACs, marks, conntrack state and direction, TTL,
 * TOS, …; source/trace/decision-key.ts). The decision memo keys a decision on what the extensions it
 * consulted read, so an extension that reads more must say so here.
 */
export interface Reads {
	readonly sport?: true;
	/** The packet's length. */
	readonly length?: true;
	readonly payload?: true;
	/** TCP flags and options. */
	readonly tcp?: true;
	/** ICMP type and code. */
	readonly icmp?: true;
	/** The connection's original and reply tuples (addresses and ports). */
	readonly tuple?: true;
	/** The connection's status: seen reply, assured. */
	readonly status?: true;
	/** State kept across packets (counters, rate buckets, address lists, sets changed at run time, the clock). */
	readonly state?: true;
}

/** Reads as bits, in this order. */
export const READ_BITS = { sport: 1, length: 2, payload: 4, tcp: 8, icmp: 16, tuple: 32, status: 64, state: 128 } as const;

const READ_KEYS = Object.keys(READ_BITS) as (keyof Reads)[];

export function readBits(reads: Reads): number {
	let bits = 0;
	for (const key of READ_KEYS) if (reads[key]) bits |= READ_BITS[key];
	// NAT targets copy the source port into the reply tuple: a tuple read may read it.
	return bits & READ_BITS.tuple ? bits | READ_BITS.sport : bits;
}

/** A match's verdict: null when the packet matches, else why not, in words. */
export type MatchVerdict = string | null;

export interface MatchExtension<Options = unknown> {
	readonly name: string;
	readonly aliases?: readonly string[];
	/** Its long options: when given, unambiguous abbreviations are accepted as getopt does (`--mac` for `--mac-source`). */
	readonly options?: readonly string[];
	/** What it reads beyond every decision's fields; a function of the options as written when that depends on them. */
	readonly reads: Reads | ((uses: readonly OptionUse[]) => Reads);
	parse(options: readonly OptionUse[], context: ParseContext): Options;
	evaluate(options: Options, packet: Packet, env: EvalEnv): MatchVerdict;
}

export type TargetOutcome =
	| { readonly kind: 'continue' }
	| { readonly kind: 'accept' }
	| { readonly kind: 'drop' }
	| { readonly kind: 'reject'; readonly with: string }
	| { readonly kind: 'return' }
	| { readonly kind: 'queue'; readonly queue: string }
	/** A NAT target: the translation is applied and the packet leaves the chain accepted. */
	| { readonly kind: 'nat'; readonly description: string };

export interface TargetEnv extends EvalEnv {
	/** Records a rewrite of the packet (NAT, MARK, TTL, …) so the trace can show before → after. */
	rewrite(description: string, change: (packet: Packet) => void): void;
	/** The source address the route out of `dev` would use (MASQUERADE). */
	sourceAddressFor(dev: string | undefined, dst: Ip): Ip | undefined;
	/** Marks the connection untracked (CT --notrack, NOTRACK). */
	untrack(): void;
}

export interface TargetExtension<Options = unknown> {
	readonly name: string;
	/** Its long options: unambiguous abbreviations are then accepted, as getopt does. */
	readonly options?: readonly string[];
	/** Tables the target may be used in (iptables refuses it elsewhere); undefined: any. */
	readonly tables?: readonly string[];
	/** What it reads beyond every decision's fields (Reads). */
	readonly reads: Reads;
	parse(options: readonly OptionUse[], context: ParseContext): Options;
	apply(options: Options, packet: Packet, env: TargetEnv): TargetOutcome;
}

/** Helpers handed to an extension's parser: it knows the family and where the rule is. */
export class ParseContext {
	readonly warnings: { line: number; column: number; text: string }[] = [];
	/** The word that names the extension being parsed (`-m NAME`, `-j NAME`): where whole-extension errors point. */
	anchor: Token = { text: '', raw: '', column: 1, quoted: false };
	/** The rule's `-p` protocol name when given and not negated: some extensions need one. */
	protocol: string | undefined;

	constructor(
		readonly family: 4 | 6,
		readonly line: number,
		readonly table: string,
	) {}

	fail(token: Token, reason: string): never {
		throw new ParseError(this.line, token.column, reason);
	}

	/** Fails at the extension's name: for errors about the extension as a whole (a required option missing). */
	require<T>(value: T | undefined, reason: string): T {
		if (value === undefined) this.fail(this.anchor, reason);
		return value;
	}

	/** Refuses the extension unless the rule says `-p` with one of these protocols, as the kernel does. */
	requireProtocol(protocols: readonly string[], message: string): void {
		if (this.protocol === undefined || !protocols.includes(this.protocol)) this.fail(this.anchor, message);
	}

	warn(token: Token, text: string): void {
		this.warnings.push({ line: this.line, column: token.column, text });
	}

	/** The option's single argument, or a parse error naming what was expected. */
	arg(option: OptionUse, expected: string): Token {
		if (option.args.length !== 1) this.fail(option.token, `${option.name} expects ${expected}`);
		return option.args[0]!;
	}

	noArgs(option: OptionUse): void {
		if (option.args.length !== 0) this.fail(option.args[0]!, `${option.name} takes no value`);
	}

	unknown(extension: string, option: OptionUse): never {
		this.fail(option.token, `unknown option ${option.name} for ${extension}`);
	}

	notNegatable(option: OptionUse): void {
		if (option.negated) this.fail(option.token, `${option.name} cannot be negated`);
	}

	integer(token: Token, what: string, min = 0, max = 0xffffffff): number {
		const text = token.text;
		const value = /^0x[0-9a-f]+$/i.test(text) ? parseInt(text, 16) : /^\d+$/.test(text) ? Number(text) : NaN;
		if (!Number.isFinite(value) || value < min || value > max) this.fail(token, `expected ${what} (${min}–${max}), got "${text}"`);
		return value;
	}

	/** "N" or "N:M" (either side may be omitted, as iptables allows). */
	range(token: Token, what: string, min: number, max: number): { from: number; to: number } {
		const text = token.text;
		const colon = text.indexOf(':');
		if (colon < 0) {
			const value = this.integer(token, what, min, max);
			return { from: value, to: value };
		}
		const part = (s: string, dflt: number) => (s === '' ? dflt : this.integer({ ...token, text: s }, what, min, max));
		const from = part(text.slice(0, colon), min);
		const to = part(text.slice(colon + 1), max);
		if (from > to) this.warn(token, `${what} range ${text} is reversed: iptables-restore refuses it; read as a range that matches nothing`);
		return { from, to };
	}

	/** A value with an optional /mask: "0x10/0xff" (mark, connmark). */
	valueMask(token: Token, what: string): { value: number; mask: number } {
		const [value, mask] = token.text.split('/');
		return {
			value: this.integer({ ...token, text: value! }, what),
			mask: mask === undefined ? 0xffffffff : this.integer({ ...token, text: mask }, `${what} mask`),
		};
	}
}

export type { Cidr, Ip };
