import type { Cidr, Ip } from '../../packet/address.js';
import type { EvalEnv, MatchVerdict, OptionUse, ParseContext, Reads } from '../extension.js';

/** How an option is written after `-m NAME`: how many words follow it and whether `!` may precede it. */
export interface OptionSpec {
	/** The number of words the option takes. */
	readonly args: number;
	readonly negatable?: boolean;
	/** The option may appear more than once (iptables refuses a repeat otherwise). */
	readonly repeatable?: boolean;
}

/**
 * The options of one `-m NAME`, with their names made canonical the way iptables' getopt_long reads
 * them: the full name, or an unambiguous prefix of one (`--src-r` for `--src-range`). Checks each option's
 * word count, its negation and that it is not repeated; anything else is a parse error at the option.
 */
export function readOptions(extension: string, uses: readonly OptionUse[], ctx: ParseContext, specs: Readonly<Record<string, OptionSpec>>): OptionUse[] {
	const names = Object.keys(specs);
	const seen = new Set<string>();
	return uses.map((use) => {
		let name = use.name;
		if (!specs[name]) {
			const candidates = use.name.startsWith('--') && use.name.length > 2 ? names.filter((n) => n.startsWith(use.name)) : [];
			if (candidates.length === 1) {
				name = candidates[0]!;
				ctx.warn(use.token, `${use.name} is an abbreviation of ${name}`);
			}
			else if (candidates.length > 1) ctx.fail(use.token, `option ${use.name} of ${extension} is ambiguous: ${candidates.join(', ')}`);
			else ctx.unknown(extension, use);
		}
		const spec = specs[name]!;
		if (use.negated && !spec.negatable) ctx.fail(use.token, `${name} cannot be negated`);
		if (use.args.length !== spec.args) {
			if (spec.args === 0) ctx.fail(use.args[0]!, `${name} takes no value`);
			ctx.fail(use.token, `${name} expects ${spec.args === 1 ? 'a value' : `${spec.args} values`}${use.args.length ? `, got ${use.args.length}` : ''}`);
		}
		if (seen.has(name) && !spec.repeatable) ctx.fail(use.token, `${name} given twice`);
		seen.add(name);
		return { ...use, name };
	});
}

/** Records what netsleuth assumes and returns the matching verdict that follows from it. */
export function assumeThat(env: EvalEnv, statement: string, matches: boolean, whyNot: string): MatchVerdict {
	env.assume(statement);
	return matches ? null : whyNot;
}

/** Interface names with iptables' trailing `+` wildcard. */
export function interfaceMatches(pattern: string, name: string | undefined): boolean {
	if (name === undefined) return false;
	return pattern.endsWith('+') ? name.startsWith(pattern.slice(0, -1)) : name === pattern;
}

/** An interface name as iptables takes it: at most 15 characters, a trailing `+` as wildcard. */
export function interfaceName(ctx: ParseContext, use: OptionUse): string {
	const token = use.args[0]!;
	if (token.text.length === 0 || token.text.length > 15 || /[\s/]/.test(token.text)) ctx.fail(token, `"${token.text}" is not an interface name`);
	return token.text;
}

/** The CIDR covering an address of this host (its `ip addr` prefix). */
export function hostCidr(address: { ip: Ip; prefix: number }): Cidr {
	const count = address.ip.family === 4 ? 1 : 4;
	const mask: number[] = [];
	for (let i = 0; i < count; i++) {
		const bits = Math.max(0, Math.min(32, address.prefix - i * 32));
		mask.push(bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0);
	}
	return { family: address.ip.family, prefix: address.prefix, mask, words: address.ip.words.map((w, i) => (w & mask[i]!) >>> 0) };
}

/** Numbers as iptables' strtoul reads them: decimal, 0x hex, or a leading 0 for octal. */
export function parseCNumber(text: string): number | undefined {
	if (/^0x[0-9a-f]+$/i.test(text)) return parseInt(text.slice(2), 16);
	if (/^0[0-7]+$/.test(text)) return parseInt(text.slice(1), 8);
	if (/^\d+$/.test(text)) return Number(text);
	return undefined;
}

/** A stable 32-bit FNV-1a hash of a text: salts the deterministic choices made from the flow hash. */
export function textHash(text: string): number {
	let h = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) {
		h ^= text.charCodeAt(i) & 0xff;
		h = Math.imul(h, 0x01000193);
	}
	return h >>> 0;
}

/**
 * The reads of a match that reads each field only through some of its options: a field is read when one
 * of its options (or what may abbreviate one) is written.
 */
export function readsThrough(options: { readonly [K in keyof Reads]?: readonly string[] }): (uses: readonly OptionUse[]) => Reads {
	return (uses) => {
		const reads: { -readonly [K in keyof Reads]: true } = {};
		for (const [field, names] of Object.entries(options) as [keyof Reads, readonly string[]][]) {
			if (uses.some((use) => names.some((name) => name.startsWith(use.name)))) reads[field] = true;
		}
		return reads;
	};
}
