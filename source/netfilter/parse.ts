import { type Cidr, parseCidr } from '../packet/address.js';
import { PROTOCOL_NUMBERS } from '../packet/packet.js';
import { type OptionUse, ParseContext } from './extension.js';
import { CONNTRACK_USERS, implicitMatchFor, matchExtension, targetExtension } from './registry.js';
import {
	BUILTIN_CHAINS,
	type BasicCriteria,
	type Chain,
	type Counters,
	type Diagnostic,
	type MatchUse,
	type Rule,
	type Ruleset,
	type Table,
	type TargetUse,
} from './ruleset.js';
import { ChainLookup } from './chain-lookup.js';
import { Backslashes, quickCheck, type QuickRule } from './quick-check.js';
import { matchReads } from './reads.js';
import { ParseError, type Token, tokenize } from './tokens.js';

const CHAIN_NAME = /^[^\s!-][^\s]{0,28}$/;
/** No whitespace but single spaces (then splitting at " " is splitting at /\s+/). */
const ONLY_SINGLE_SPACES = /^(?:[^\s]| (?! ))*$/;

const BASIC_OPTIONS: ReadonlyMap<string, string> = new Map(Object.entries({
	'-s': 'source', '--source': 'source', '--src': 'source',
	'-d': 'destination', '--destination': 'destination', '--dst': 'destination',
	'-p': 'protocol', '--protocol': 'protocol',
	'-i': 'in', '--in-interface': 'in',
	'-o': 'out', '--out-interface': 'out',
	'-f': 'fragment', '--fragment': 'fragment',
	'-4': 'family', '--ipv4': 'family', '-6': 'family', '--ipv6': 'family',
	'-c': 'counters', '--set-counters': 'counters',
	'-m': 'match', '--match': 'match',
	'-j': 'jump', '--jump': 'jump',
	'-g': 'goto', '--goto': 'goto',
}));

const BASIC_FIELDS = { source: 'source', destination: 'destination', protocol: 'protocol', in: 'inInterface', out: 'outInterface' } as const;

/** The extension name a protocol number implies for extensions that need `-p`. */
const PROTOCOL_EXTENSION_NAMES: Readonly<Record<number, string>> = { 6: 'tcp', 17: 'udp', 1: 'icmp', 58: 'icmpv6', 132: 'sctp', 33: 'dccp', 136: 'udplite' };

/** True for a digit string (what /^\d+$/ accepts). */
function isDigits(text: string): boolean {
	if (text.length === 0) return false;
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (c < 48 || c > 57) return false;
	}
	return true;
}

/**
 * parseCidr's answer for the common IPv4 forms ("a.b.c.d", "a.b.c.d/N"), without its general parser;
 * undefined sends the text to parseCidr (masks, IPv6, anything unusual). Same object, same fields.
 */
function fastCidr4(text: string): Cidr | undefined {
	const n = text.length;
	let word = 0;
	let i = 0;
	for (let part = 0; part < 4; part++) {
		const start = i;
		let value = 0;
		while (i < n) {
			const c = text.charCodeAt(i);
			if (c < 48 || c > 57) break;
			value = value * 10 + c - 48;
			i++;
		}
		const digits = i - start;
		// ipaddr's four-part decimal: 0, or no leading zero; each part at most 255.
		if (digits === 0 || digits > 3 || (digits > 1 && text.charCodeAt(start) === 48) || value > 255) return undefined;
		word = word * 256 + value;
		if (part < 3) {
			if (i >= n || text.charCodeAt(i) !== 46) return undefined;
			i++;
		}
	}
	let prefix = 32;
	if (i < n) {
		if (text.charCodeAt(i) !== 47) return undefined;
		const digits = n - i - 1;
		if (digits < 1 || digits > 3) return undefined;
		prefix = 0;
		for (let k = i + 1; k < n; k++) {
			const c = text.charCodeAt(k);
			if (c < 48 || c > 57) return undefined;
			prefix = prefix * 10 + c - 48;
		}
		if (prefix > 32) return undefined;
	}
	const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
	return { family: 4, prefix, mask: [mask], words: [(word & mask) >>> 0] };
}

function parseCounters(text: string): Counters | undefined {
	// Nearly every dump says [0:0].
	if (text === '[0:0]') return { packets: 0n, bytes: 0n };
	const m = /^\[(\d+):(\d+)\]$/.exec(text);
	return m ? { packets: BigInt(m[1]!), bytes: BigInt(m[2]!) } : undefined;
}

/** Interface names as iptables takes them: up to 15 characters, `+` as a trailing wildcard. */
function checkInterface(ctx: ParseContext, token: Token): string {
	if (token.text.length === 0 || token.text.length > 15 || /[\s/]/.test(token.text)) ctx.fail(token, `"${token.text}" is not an interface name`);
	return token.text;
}

interface Group {
	kind: 'match' | 'target';
	name: string;
	goto: boolean;
	implicit: boolean;
	tokens: Token[];
	uses: OptionUse[];
}

interface Scanned {
	readonly basic: BasicCriteria;
	readonly groups: Group[];
	readonly target: Group | undefined;
	readonly counters: Counters | undefined;
}

/** Reads the words of one rule after `-A CHAIN`: iptables' own criteria, and the words of each extension. */
function scanRuleBody(tokens: readonly Token[], ctx: ParseContext): Scanned {
	const basic: BasicCriteria = {};
	const groups: Group[] = [];
	let counters: Counters | undefined;
	let current: Group | undefined;
	let target: Group | undefined;
	let i = 0;

	while (i < tokens.length) {
		const token = tokens[i]!;
		let negated = false;
		let optionToken = token;
		if (token.text === '!' && !token.quoted) {
			negated = true;
			optionToken = tokens[i + 1] ?? ctx.fail(token, '"!" must be followed by an option');
			i++;
		}
		i++;
		const text = optionToken.text;
		if (optionToken.quoted || !text.startsWith('-') || text === '-') {
			ctx.fail(optionToken, `unexpected "${text}": expected an option such as -p, -m or -j`);
		}
		const basicName = BASIC_OPTIONS.get(text);
		if (basicName && basicName !== 'match' && basicName !== 'jump' && basicName !== 'goto' && basicName !== 'counters' && basicName !== 'family') {
			// Options of iptables itself end whatever extension came before.
			current = undefined;
			if (basicName === 'fragment') {
				basic.fragment = { value: true, negated };
				continue;
			}
			const field = BASIC_FIELDS[basicName as 'source'];
			if (basic[field]) ctx.fail(optionToken, `multiple ${text} flags not allowed`);
			// The value, after an old-style "! " between option and value.
			let value = tokens[i];
			let neg = negated;
			if (value && value.text === '!' && !value.quoted) {
				ctx.warn(value, `old iptables syntax "${optionToken.text} ! value": write "! ${optionToken.text} value"`);
				neg = true;
				i++;
				value = tokens[i];
			}
			if (!value) ctx.fail(optionToken, `${optionToken.text} expects a value`);
			i++;
			switch (basicName) {
				case 'source':
				case 'destination': {
					const cidr = fastCidr4(value.text) ?? parseCidr(value.text);
					if (!cidr || cidr.family !== ctx.family) ctx.fail(value, `expected an IPv${ctx.family} address or network, got "${value.text}"`);
					basic[basicName] = { value: cidr, negated: neg };
					break;
				}
				case 'protocol': {
					const name = value.text.toLowerCase();
					const number = isDigits(name) ? Number(name) : PROTOCOL_NUMBERS[name];
					if (number === undefined || number > 255) ctx.fail(value, `unknown protocol "${value.text}"`);
					basic.protocol = { value: { number, name }, negated: neg };
					break;
				}
				case 'in':
					basic.inInterface = { value: checkInterface(ctx, value), negated: neg };
					break;
				case 'out':
					basic.outInterface = { value: checkInterface(ctx, value), negated: neg };
					break;
			}
			continue;
		}
		if (basicName === 'family') {
			if ((text === '-4' || text === '--ipv4') !== (ctx.family === 4)) ctx.warn(optionToken, `${text} in an IPv${ctx.family} ruleset: iptables skips this rule`);
			continue;
		}
		if (basicName === 'counters') {
			const packets = tokens[i];
			const bytes = tokens[i + 1];
			if (!packets || !bytes || !isDigits(packets.text) || !isDigits(bytes.text)) ctx.fail(optionToken, '-c expects two numbers: packets and bytes');
			counters = { packets: BigInt(packets.text), bytes: BigInt(bytes.text) };
			i += 2;
			continue;
		}
		if (basicName === 'match' || basicName === 'jump' || basicName === 'goto') {
			if (negated) ctx.fail(token, `${text} cannot be negated`);
			const name = tokens[i] ?? ctx.fail(optionToken, `${text} expects a ${basicName === 'match' ? 'module' : 'target'} name`);
			i++;
			const group: Group = {
				kind: basicName === 'match' ? 'match' : 'target',
				name: basicName === 'match' ? name.text.toLowerCase() : name.text,
				goto: basicName === 'goto',
				implicit: false,
				tokens: [optionToken, name],
				uses: [],
			};
			if (group.kind === 'target') {
				if (target) ctx.fail(optionToken, 'a rule has one target; a second -j or -g was found');
				target = group;
			} else groups.push(group);
			current = group;
			continue;
		}
		// An option of an extension: it belongs to the extension named last, or to the protocol's own.
		if (!current) {
			const implicitName = basic.protocol && !basic.protocol.negated ? implicitMatchFor(basic.protocol.value.name, ctx.family) : undefined;
			if (!implicitName) ctx.fail(optionToken, `unknown option "${text}" (no -m module before it takes it)`);
			current = groups.find((g) => g.name === implicitName);
			if (!current) {
				current = { kind: 'match', name: implicitName, goto: false, implicit: true, tokens: [], uses: [] };
				groups.push(current);
			}
		}
		const args: Token[] = [];
		let oldNegation = false;
		if (tokens[i]?.text === '!' && !tokens[i]!.quoted && tokens[i + 1] && !tokens[i + 1]!.text.startsWith('-')) {
			ctx.warn(tokens[i]!, `old iptables syntax "${text} ! value": write "! ${text} value"`);
			oldNegation = true;
			i++;
		}
		while (i < tokens.length) {
			const next = tokens[i]!;
			if (!next.quoted && (next.text === '!' || (next.text.length > 1 && next.text.charCodeAt(0) === 45 && !(next.text.charCodeAt(1) >= 48 && next.text.charCodeAt(1) <= 57)))) break;
			args.push(next);
			i++;
		}
		current.uses.push({ name: text, negated: negated || oldNegation, args, token: optionToken });
	}

	return { basic, groups, target, counters };
}

/** The words of a rule and of its extensions, read again from its line when asked for. */
interface Words {
	readonly body: readonly Token[];
	readonly groups: readonly Group[];
	readonly target: Group | undefined;
}

/**
 * A parsed rule. Its words (`tokens`, and each extension's `uses` and `tokens`) are not kept: they are
 * read again from the line, the same way, the first time something asks (printing back, `show`), so a
 * 150,000-line dump does not hold millions of word objects.
 */
class ParsedRule implements Rule {
	readonly table: string;
	readonly chain: string;
	readonly line: number;
	readonly text: string;
	readonly basic: BasicCriteria;
	readonly matches: readonly MatchUse[];
	readonly target?: TargetUse;
	declare counters?: Counters;
	readonly #source: string;
	readonly #skip: number;
	readonly #family: 4 | 6;
	#words: Words | undefined;

	constructor(table: string, chain: string, line: number, text: string, source: string, skip: number, family: 4 | 6, scanned: Scanned, matches: readonly MatchUse[], target: TargetUse | undefined) {
		this.table = table;
		this.chain = chain;
		this.line = line;
		this.text = text;
		this.basic = scanned.basic;
		this.matches = matches;
		this.target = target;
		this.#source = source;
		this.#skip = skip;
		this.#family = family;
	}

	get tokens(): readonly Token[] {
		return ParsedRule.words(this).body;
	}

	static words(rule: ParsedRule): Words {
		if (!rule.#words) {
			const body = tokenize(rule.#source, rule.line).slice(rule.#skip);
			const scanned = scanRuleBody(body, new ParseContext(rule.#family, rule.line, rule.table));
			rule.#words = { body, groups: scanned.groups, target: scanned.target };
		}
		return rule.#words;
	}
}

class ParsedMatch implements MatchUse {
	readonly #rule: ParsedRule;
	readonly #group: number;

	constructor(
		readonly name: string,
		readonly extension: MatchUse['extension'],
		readonly options: unknown,
		readonly reads: number,
		rule: ParsedRule,
		group: number,
	) {
		this.#rule = rule;
		this.#group = group;
	}

	get uses(): readonly OptionUse[] {
		return ParsedRule.words(this.#rule).groups[this.#group]!.uses;
	}

	get tokens(): readonly Token[] {
		return ParsedRule.words(this.#rule).groups[this.#group]!.tokens;
	}
}

class ParsedTarget implements TargetUse {
	readonly #rule: ParsedRule;

	constructor(
		readonly name: string,
		readonly goto: boolean,
		readonly extension: TargetUse['extension'],
		readonly options: unknown,
		rule: ParsedRule,
	) {
		this.#rule = rule;
	}

	get tokens(): readonly Token[] {
		return ParsedRule.words(this.#rule).target!.tokens;
	}
}

/**
 * A rule line the quick reader (quick-check.ts) found certain to parse without an error or a warning: it
 * is parsed, by the same code as any other, the first time something looks at it. Most rules of a big
 * dump are never looked at by a trace.
 */
class LazyRule implements Rule {
	readonly line: number;
	/**
	 * The input's quickly read rules: the parser's whole input (the line is cut out of it when asked for: a
	 * 150,000-rule dump holds as many of these objects), and the rules built from it (QuickRules.keepBuilt).
	 */
	readonly #quick: QuickRules;
	readonly #start: number;
	readonly #table: Table;
	readonly #chain: Chain;
	/** What the quick reader found: see `found`. */
	readonly #found: number;
	#rule: ParsedRule | undefined;
	/** How often it was built and let go: built again after twice, it is kept longer (QuickRules.keepBuilt). */
	#letGo = 0;

	constructor(table: Table, chain: Chain, line: number, quick: QuickRules, start: number, found: number) {
		this.line = line;
		this.#quick = quick;
		this.#start = start;
		this.#table = table;
		this.#chain = chain;
		this.#found = found;
	}

	/**
	 * What the quick reader found, in one number. Bit 0: the target was a chain when the line was read; bit 1:
	 * the rule has a target; bit 2: it is DNAT; bit 3: it is REJECT; bits 4–7: the exact destination's length
	 * (≤ 15); above: its offset in the line + 1 (0: none).
	 */
	static found(quick: QuickRule, start: number): number {
		// Only for a destination: without one, (at - start) * 256 left the small integers past 8 MB of input (a deoptimisation).
		const at = quick.destinationAt;
		const destination = at < 0 ? 0 : (quick.destinationEnd - at) * 16 + (at - start + 1) * 256;
		return (quick.jumpsToChain ? 1 : 0) + (quick.hasTarget ? 2 : 0) + (quick.conntrack ? 4 : 0) + (quick.reject ? 8 : 0) + destination;
	}

	/** The line, which has nothing to trim: it is the rule's text and the words' source. */
	get text(): string {
		const input = this.#quick.input;
		let end = input.indexOf('\n', this.#start);
		if (end < 0) end = input.length;
		if (input.charCodeAt(end - 1) === 13) end--;
		return input.slice(this.#start, end);
	}

	get table(): string {
		return this.#table.name;
	}

	get chain(): string {
		return this.#chain.name;
	}

	/**
	 * The target's name, read from the line: the quick reader takes a target only at the end of a line,
	 * where it is the last word (a chain, ACCEPT, RETURN), DNAT followed by --to-destination ADDRESS, or
	 * REJECT followed by --reject-with icmp-port-unreachable.
	 */
	static targetName(rule: LazyRule): string | undefined {
		const found = rule.#found;
		if ((found & 2) === 0) return undefined;
		if ((found & 4) !== 0) return 'DNAT';
		if ((found & 8) !== 0) return 'REJECT';
		const text = rule.text;
		return text.slice(text.lastIndexOf(' ') + 1);
	}

	/** The quick reader's exact destination (quick-check.ts), or null when the rule has none; undefined for other rules. */
	static exactDestination(rule: Rule): string | null | undefined {
		if (!(rule instanceof LazyRule)) return undefined;
		const found = rule.#found;
		if (found < 256) return null;
		const at = rule.#start + Math.floor(found / 256) - 1;
		return rule.#quick.input.slice(at, at + (Math.floor(found / 16) % 16));
	}

	/** The rule parsed but not kept (the rule itself when it was parsed already): see `transientRule`. */
	static parsedOnce(rule: LazyRule): Rule {
		return rule.#rule ?? LazyRule.#parse(rule);
	}

	// Static, not instance methods: an instance method made private costs every rule a field (its class brand).
	static #parse(rule: LazyRule): ParsedRule {
		const text = rule.text;
		const tokens = tokenize(text, rule.line);
		// The quick reader takes IPv4 lines only.
		const ctx = new ParseContext(4, rule.line, rule.table);
		// As the line was read: its target was a chain then or not (chains are only ever added).
		const parsed = parseRule(rule.#table, rule.#chain, rule.line, text, text, 2, tokens.slice(2), ctx, undefined, (rule.#found & 1) === 1);
		if (ctx.warnings.length) throw new Error(`internal: line ${rule.line} was read quickly but warns: ${ctx.warnings[0]!.text}`);
		return parsed;
	}

	static #parsed(rule: LazyRule): ParsedRule {
		let parsed = rule.#rule;
		if (parsed === undefined) {
			parsed = rule.#rule = LazyRule.#parse(rule);
			rule.#quick.keepBuilt(rule, rule.#letGo >= 2);
		}
		return parsed;
	}

	/** Lets the built rule go: it is built again, the same, when next looked at. */
	static forget(rule: LazyRule): void {
		rule.#rule = undefined;
		rule.#letGo++;
	}

	get basic(): BasicCriteria {
		return LazyRule.#parsed(this).basic;
	}

	get matches(): readonly MatchUse[] {
		return LazyRule.#parsed(this).matches;
	}

	get target(): TargetUse | undefined {
		return LazyRule.#parsed(this).target;
	}

	get tokens(): readonly Token[] {
		return LazyRule.#parsed(this).tokens;
	}
}

/** Counters of a declared chain that says [0:0], as nearly all do: one object for all of them. */
const NO_COUNTS: Counters = Object.freeze({ packets: 0n, bytes: 0n });

/**
 * How many rules built from quickly read lines stay built (QuickRules.keepBuilt): of those built up to
 * three times, and of those built more often (~6 MB of them).
 */
export const BUILT_KEPT = { fresh: 256, again: 8192 } as const;

/** Rules built, the last `size` of them kept built: keeping one more lets the oldest go. */
class BuiltRing {
	readonly #rules: (LazyRule | undefined)[] = [];
	#next = 0;

	constructor(readonly size: number) {}

	keep(rule: LazyRule): void {
		const old = this.#rules[this.#next];
		if (old !== undefined) LazyRule.forget(old);
		this.#rules[this.#next] = rule;
		this.#next = (this.#next + 1) % this.size;
	}
}

/**
 * The rules the quick reader vouched for, three numbers each: where the line starts in the input, its
 * number, and what the reader found (LazyRule.found). One growing array for the whole input rather than
 * one per chain (a kube-proxy dump has 40,000 chains). The numbers fit 32 bits: inputs are strings (at
 * most 2^29 characters) and a quickly read line is a few hundred characters at most.
 */
class QuickRules {
	readonly input: string;
	data: Int32Array;
	/** How many rules it holds. */
	size = 0;
	/** Rules built from this input for the first time, and built again. */
	readonly #fresh = new BuiltRing(BUILT_KEPT.fresh);
	readonly #again = new BuiltRing(BUILT_KEPT.again);

	constructor(input: string) {
		this.input = input;
		// Room for a rule per 64 characters of input: a kube-proxy dump's lines average 110, so it is not grown
		// (growing, first met in compiled code, sends the parser back to the interpreter).
		this.data = new Int32Array(3 * Math.max(4096, input.length >> 6));
	}

	/**
	 * Keeps a rule just built from this input (`again`: built and let go twice before); past BUILT_KEPT the
	 * oldest is let go. A long replay meets tens of thousands of kube-proxy rules once or twice each (the
	 * first packets of a service's connections): kept built, they were its largest live memory, and let go
	 * late, most of its garbage. Rules met again and again (a firewall's, walked for every new connection)
	 * are kept longer. Such rules hold no state across packets (the quick reader takes no extension that
	 * does), so building one again gives the same rule.
	 */
	keepBuilt(rule: LazyRule, again: boolean): void {
		(again ? this.#again : this.#fresh).keep(rule);
	}

	add(start: number, line: number, found: number): void {
		let data = this.data;
		const at = this.size * 3;
		if (at === data.length) {
			data = new Int32Array(data.length * 2);
			data.set(this.data);
			this.data = data;
		}
		data[at] = start;
		data[at + 1] = line;
		data[at + 2] = found;
		this.size++;
	}
}

/**
 * A chain as the parser makes it. Its rules the quick reader vouched for stay numbers (QuickRules) until
 * something first asks for `rules`: then each becomes a LazyRule (itself parsed when looked at). A
 * kube-proxy dump has 40,000 chains and 100,000 such rules; a trace looks at few of them.
 */
class ParsedChain implements Chain {
	readonly name: string;
	readonly builtin: boolean;
	declare policy?: string;
	declare counters?: Counters;
	readonly line: number;
	declare absent?: boolean;
	readonly #table: Table;
	readonly #quick: QuickRules;
	/** Its rules while none was asked for: the quickly read ones in a run of the shared numbers (iptables-save writes a chain's rules together)… */
	#runFrom = 0;
	#runSize = 0;
	/** …or, once a built rule came or the run was broken, built rules and numbers' indexes in QuickRules, in order. */
	#entries: (Rule | number)[] | undefined;
	#rules: Rule[] | undefined;

	constructor(table: Table, quick: QuickRules, name: string, builtin: boolean, line: number) {
		this.name = name;
		this.builtin = builtin;
		this.line = line;
		this.#table = table;
		this.#quick = quick;
	}

	get rules(): Rule[] {
		if (this.#rules === undefined) {
			const entries = this.#entries;
			const rules: Rule[] = new Array<Rule>(entries === undefined ? this.#runSize : entries.length);
			if (entries === undefined) for (let i = 0; i < this.#runSize; i++) rules[i] = ParsedChain.#lazy(this, this.#runFrom + i);
			else for (let i = 0; i < entries.length; i++) {
				const entry = entries[i]!;
				rules[i] = typeof entry === 'number' ? ParsedChain.#lazy(this, entry) : entry;
			}
			this.#rules = rules;
			this.#entries = undefined;
		}
		return this.#rules;
	}

	/** How many rules it has. */
	get count(): number {
		return this.#rules?.length ?? this.#entries?.length ?? this.#runSize;
	}

	/** Adds a rule the quick reader vouched for at the end: it was the last added to QuickRules. */
	addQuick(): void {
		const index = this.#quick.size - 1;
		if (this.#rules !== undefined) this.#rules.push(ParsedChain.#lazy(this, index));
		else if (this.#entries !== undefined) this.#entries.push(index);
		else if (this.#runSize === 0) {
			this.#runFrom = index;
			this.#runSize = 1;
		} else if (this.#runFrom + this.#runSize === index) this.#runSize++;
		else ParsedChain.#broken(this).push(index);
	}

	/** Adds a built rule at the end. */
	add(rule: Rule): void {
		if (this.#rules !== undefined) this.#rules.push(rule);
		else ParsedChain.#broken(this).push(rule);
	}

	/** Once the input is read: rules made while reading (for an insertion) in an array of their own length (a grown one keeps room for 17). */
	finish(): void {
		if (this.#rules !== undefined) this.#rules = this.#rules.slice();
	}

	// Static, not instance methods: an instance method made private costs every chain a field (its class brand).
	/** The chain's entries, its run moved into them. */
	static #broken(chain: ParsedChain): (Rule | number)[] {
		if (chain.#entries === undefined) {
			const entries: (Rule | number)[] = [];
			for (let i = 0; i < chain.#runSize; i++) entries.push(chain.#runFrom + i);
			chain.#entries = entries;
			chain.#runSize = 0;
		}
		return chain.#entries;
	}

	static #lazy(chain: ParsedChain, index: number): LazyRule {
		const quick = chain.#quick;
		const data = quick.data;
		return new LazyRule(chain.#table, chain, data[index * 3 + 1]!, quick, data[index * 3]!, data[index * 3 + 2]!);
	}
}

/** Parses the words of one rule after `-A CHAIN` into criteria, matches and a target. */
function parseRule(table: Table, chain: Chain, lineNumber: number, text: string, source: string, skip: number, tokens: readonly Token[], ctx: ParseContext, counters: Counters | undefined, targetIsChain?: boolean): ParsedRule {
	const scanned = scanRuleBody(tokens, ctx);
	const { basic, groups, target } = scanned;
	const chains = table.chains;
	const matches: ParsedMatch[] = [];
	const rule = new ParsedRule(table.name, chain.name, lineNumber, text, source, skip, ctx.family, scanned, matches, undefined);
	const proto = basic.protocol && !basic.protocol.negated ? basic.protocol.value.number : undefined;
	ctx.protocol = proto === undefined ? undefined : PROTOCOL_EXTENSION_NAMES[proto] ?? String(proto);
	for (let g = 0; g < groups.length; g++) {
		const group = groups[g]!;
		const extension = matchExtension(group.name);
		ctx.anchor = group.tokens[1] ?? group.uses[0]!.token;
		if (!extension) ctx.warn(group.tokens[1] ?? group.uses[0]!.token, `match module "${group.name}" is not known to netsleuth: its result is an assumption`);
		const options = extension ? extension.parse(expandAbbreviations(group.uses, extension.options, ctx), ctx) : undefined;
		matches.push(new ParsedMatch(shared(group.name, extension?.name), extension, options, matchReads(extension, group.uses), rule, g));
	}
	let targetUse: TargetUse | undefined;
	if (target) {
		const isChain = targetIsChain ?? chains.has(target.name);
		const extension = isChain ? undefined : targetExtension(target.name);
		if (target.goto && !isChain) ctx.warn(target.tokens[1]!, `-g ${target.name}: goto needs a user chain; treated as -j`);
		if (!extension && !isChain) ctx.warn(target.tokens[1]!, `target "${target.name}" is neither a chain nor known to netsleuth: its effect is an assumption`);
		if (extension?.tables && !extension.tables.includes(ctx.table)) ctx.fail(target.tokens[1]!, `${target.name} is only valid in the ${extension.tables.join(', ')} table`);
		ctx.anchor = target.tokens[1]!;
		targetUse = new ParsedTarget(shared(target.name, isChain ? chains.get(target.name)?.name : extension?.name), target.goto && isChain, extension, extension ? extension.parse(expandAbbreviations(target.uses, extension.options, ctx), ctx) : undefined, rule);
		if (!extension && target.uses.length) ctx.warn(target.uses[0]!.token, `options after -j ${target.name} are kept but not understood`);
	}
	(rule as { target?: TargetUse }).target = targetUse;
	// Exactly as long as it is: an array grown by push keeps room for 17 (a built rule of a long capture's replay is kept).
	(rule as { matches: readonly MatchUse[] }).matches = matches.slice();
	// A leading [packets:bytes] wins over -c.
	const ruleCounters = counters ?? scanned.counters;
	if (ruleCounters) rule.counters = ruleCounters;
	return rule;
}

/** The name as the registry or the chain has it when it is the same text: one string for every rule that names it. */
function shared(name: string, known: string | undefined): string {
	return known === name ? known : name;
}

/** getopt_long takes any unambiguous prefix of a long option; iptables-restore inherits that. */
function expandAbbreviations(uses: OptionUse[], names: readonly string[] | undefined, ctx: ParseContext): OptionUse[] {
	if (!names) return uses;
	if (uses.every((use) => names.includes(use.name))) return uses;
	return uses.map((use) => {
		if (names.includes(use.name)) return use;
		const candidates = names.filter((name) => name.startsWith(use.name));
		if (candidates.length !== 1) return use;
		ctx.warn(use.token, `${use.name} is an abbreviation of ${candidates[0]}`);
		return { ...use, name: candidates[0]! };
	});
}

/**
 * For the chain index: the address of a rule's `-d A.B.C.D[/32]` when the rule was read quickly and
 * that destination decides alone (not negated, no `-s`), without building the rule; null when such a
 * rule has none; undefined for a rule that was built (ask its `basic`).
 */
export function quickExactDestination(rule: Rule): string | null | undefined {
	return LazyRule.exactDestination(rule);
}

/**
 * A rule to look at once and let go (`show rules --json` over a million rules): a rule read quickly is
 * parsed for the caller without being kept parsed; any other rule is itself.
 */
export function transientRule(rule: Rule): Rule {
	return rule instanceof LazyRule ? LazyRule.parsedOnce(rule) : rule;
}

/** A rule's target name (-j or -g), without building a quickly read rule; undefined when it has none. */
export function targetName(rule: Rule): string | undefined {
	return rule instanceof LazyRule ? LazyRule.targetName(rule) : rule.target?.name;
}

export interface ParseOptions {
	/** 4 for iptables-save (the default), 6 for ip6tables-save. */
	readonly family?: 4 | 6;
	/**
	 * Rules the quick reader vouches for are parsed when first looked at (the default); false parses every
	 * rule now, and reads every line the long way. The ruleset is the same either way: this is for tests
	 * and measurements.
	 */
	readonly lazy?: boolean;
	/** Shown in messages: the file name or "iptables-save". */
	readonly origin?: string;
}

/**
 * Parses iptables-save / ip6tables-save output (or iptables-restore input) into a Ruleset. Errors carry
 * line and column; problems whose meaning is still clear become warnings.
 */
export function parseRuleset(text: string, options: ParseOptions = {}): Ruleset {
	const family = options.family ?? 4;
	const origin = options.origin ?? 'iptables-save';
	const lazy = options.lazy ?? true;
	if (lazy && !warmedUp && text.length >= WARM_UP_FROM) warmUp();
	const state: ReadState = { quick: new QuickRules(text), backslashes: new Backslashes(text), family, tables: new Map(), warnings: [], table: undefined, chains: undefined, lookups: new Map(), inserts: new Insertions(), usesConntrack: false };
	let lineNumber = 0;

	// Line by line without splitting the text first (an array of 150,000 strings, most of them kept anyway).
	// The loop only finds lines; what it does with them is in functions of their own: this loop is compiled
	// while it runs (on-stack replacement), and each kind of line its compiled code had not yet met (the
	// first rule after 40,000 chain declarations) sent it back to the interpreter until compiled again.
	for (let start = 0; start <= text.length; ) {
		let stop = text.indexOf('\n', start);
		if (stop < 0) stop = text.length;
		const lineStart = start;
		const lineEnd = stop > start && text.charCodeAt(stop - 1) === 13 ? stop - 1 : stop;
		start = stop + 1;
		lineNumber++;
		// A rule line (-A …, nothing to trim) goes to the quick reader first, without being cut out of the text.
		if (lazy && state.table && text.charCodeAt(lineStart) === 45 && !isWhite(text.charCodeAt(lineEnd - 1)) && readQuickly(text, lineStart, lineEnd, lineNumber, state)) continue;
		// So does a user chain's declaration ":NAME - [0:0]" (40,000 lines of a kube-proxy dump); lazy: false reads all lines the long way, as the reference.
		if (lazy && state.table && text.charCodeAt(lineStart) === 58 && declareQuickly(text, lineStart, lineEnd, lineNumber, state)) continue;
		readLine(text.slice(lineStart, lineEnd), lineStart, lineNumber, state);
	}
	state.inserts.finish();
	const { tables, warnings, table } = state;
	for (const t of tables.values()) for (const chain of t.chains.values()) (chain as ParsedChain).finish();
	if (table) {
		warnings.push({ line: lineNumber, column: 1, text: `table "${table.name}" has no COMMIT at the end: read as if it had one` });
	}
	return { family, tables, warnings, origin, usesConntrack: state.usesConntrack };
}

/**
 * A dump with a line of each kind the quick reader takes (and a few it leaves to the full parser), read
 * a few times before the first big input. V8 optimises the reader while it reads the big input, from
 * the kinds of line it has met: each kind met first later (kube-proxy's DNAT and statistic lines come
 * tens of thousands of lines in) sent the reader back to the interpreter until optimised again. Read
 * first, these lines give it all its kinds at once: the 10,000-service dump parses in 172 ms instead
 * of 199 ms (medians of 10 cold runs).
 */
const WARM_UP = `*filter
:INPUT ACCEPT [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-FORWARD - [0:0]
-A INPUT -j KUBE-SERVICES
-A KUBE-SERVICES -d 10.96.0.9/32 -p tcp -m comment --comment "ns/svc:port has no endpoints" -m tcp --dport 443 -j REJECT --reject-with icmp-port-unreachable
-A KUBE-FORWARD ! -s 10.0.0.0/8 -m comment --comment plain -j ACCEPT
-A KUBE-FORWARD -p udp -m udp --sport 53 -j RETURN
-A KUBE-FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-SVC-A - [0:0]
:KUBE-SEP-A - [0:0]
:KUBE-SEP-B - [0:0]
:KUBE-MARK-MASQ - [0:0]
-A PREROUTING -j KUBE-SERVICES
-A KUBE-SEP-A -s 10.244.1.2/32 -m comment --comment "ns/svc:port" -j KUBE-MARK-MASQ
-A KUBE-SEP-A -p tcp -m comment --comment "ns/svc:port" -m tcp -j DNAT --to-destination 10.244.1.2:5432
-A KUBE-SEP-B -p udp -m comment --comment "ns/svc:dns" -m udp -j DNAT --to-destination 10.244.1.3:53
-A KUBE-SERVICES -d 10.96.0.1/32 -p tcp -m comment --comment "ns/svc:port cluster IP" -m tcp --dport 5432 -j KUBE-SVC-A
-A KUBE-SVC-A -m comment --comment "ns/svc:port -> 10.244.1.2:5432" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-A
-A KUBE-SVC-A -m comment --comment "ns/svc:port -> 10.244.1.3:5432" -j KUBE-SEP-B
-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000
COMMIT
`;
/** Inputs smaller than this are read without the warm-up: they end before the reader is optimised. */
const WARM_UP_FROM = 1 << 20;
/** Readings of WARM_UP: V8 collects a function's type feedback only from its ninth call or so. */
const WARM_UP_READINGS = 3;
let warmedUp = false;

function warmUp(): void {
	warmedUp = true;
	for (let i = 0; i < WARM_UP_READINGS; i++) parseRuleset(WARM_UP, { origin: 'warm-up' });
}

/** What parseRuleset has read so far. */
interface ReadState {
	readonly quick: QuickRules;
	readonly backslashes: Backslashes;
	readonly family: 4 | 6;
	readonly tables: Map<string, Table>;
	readonly warnings: Diagnostic[];
	/** The table open at this line (between *NAME and COMMIT). */
	table: Table | undefined;
	/** The quick reader's way to the open table's chains. */
	chains: ChainLookup | undefined;
	/** Each table's, kept for a table opened again. */
	readonly lookups: Map<Table, ChainLookup>;
	readonly inserts: Insertions;
	usesConntrack: boolean;
}

/** Keeps the rule line in [start, end) unbuilt when the quick reader vouches for it; false when it does not. */
function readQuickly(text: string, start: number, end: number, lineNumber: number, state: ReadState): boolean {
	const table = state.table!;
	const quick = quickCheck(text, table, state.family, start, end, state.chains, state.backslashes);
	if (!quick) return false;
	// Every chain of a table the parser reads is one it made.
	state.quick.add(start, lineNumber, LazyRule.found(quick, start));
	(quick.chain as ParsedChain).addQuick();
	// Written for every line (a store first met in compiled code, at the first DNAT line, sent it back to the interpreter).
	state.usesConntrack = state.usesConntrack || quick.conntrack;
	return true;
}

/**
 * Declares the user chain of a line ":NAME - [0:0]" in [start, end) as readLine would, without cutting the
 * line out or trimming it; false for readLine to read it (a built-in chain's name, an odd name, a chain
 * declared twice).
 */
function declareQuickly(text: string, start: number, end: number, lineNumber: number, state: ReadState): boolean {
	if (!text.endsWith(DECLARED, end)) return false;
	const name = text.slice(start + 1, end - DECLARED.length);
	const table = state.table!;
	if (!CHAIN_NAME.test(name) || BUILTIN_CHAINS[table.name]!.includes(name) || table.chains.has(name)) return false;
	const chain = new ParsedChain(table, state.quick, name, false, lineNumber);
	chain.counters = NO_COUNTS;
	declare(state, chain, start + 1);
	return true;
}

/** The end of the common user chain declaration. */
const DECLARED = ' - [0:0]';

/** Reads one line the quick reader did not take: a table, a chain, COMMIT, a comment, or a command for the full parser. */
function readLine(line: string, lineStart: number, lineNumber: number, state: ReadState): void {
	const { tables, warnings } = state;
	const table = state.table;
	// Most lines have nothing to trim: only pay for trim() when an end is white.
	const trimmed = isWhite(line.charCodeAt(0)) || isWhite(line.charCodeAt(line.length - 1)) ? line.trim() : line;
	if (trimmed === '') return;
	const first = trimmed.charCodeAt(0);
	if (first === 35 /* # */) return;
	if (first === 45 /* - */ && table) {
		// A command (-A, -I, -N, -P) the quick reader left: the full parser.
		const rule = parseCommand(line, lineNumber, table, state);
		if (rule && !state.usesConntrack && needsConntrack(rule)) state.usesConntrack = true;
		return;
	}
	const col = trimmed === line ? 1 : line.length - line.trimStart().length + 1;
	if (trimmed.startsWith('*')) {
		if (table) throw new ParseError(lineNumber, col, `table "${table.name}" (line ${table.line}) is not closed: COMMIT expected before a new table`);
		const name = trimmed.slice(1);
		if (!BUILTIN_CHAINS[name]) throw new ParseError(lineNumber, col + 1, `unknown table "${name}": expected raw, mangle, nat, filter or security`);
		const opened = tables.get(name) ?? { name, line: lineNumber, chains: new Map() };
		tables.set(name, opened);
		state.table = opened;
		let chains = state.lookups.get(opened);
		if (!chains) state.lookups.set(opened, (chains = new ChainLookup(opened, state.quick.input)));
		state.chains = chains;
		return;
	}
	if (!table) throw new ParseError(lineNumber, col, `expected a table line such as "*filter" before "${trimmed.slice(0, 20)}"`);
	if (trimmed === 'COMMIT') {
		state.table = undefined;
		state.chains = undefined;
		return;
	}
	if (trimmed.startsWith(':')) {
		// ":NAME POLICY [p:b]", nearly always with single spaces.
		const parts = ONLY_SINGLE_SPACES.test(trimmed) ? trimmed.slice(1).split(' ') : trimmed.slice(1).split(/\s+/);
		const [name, policy, counterText] = parts;
		if (!name || !CHAIN_NAME.test(name)) throw new ParseError(lineNumber, col + 1, `invalid chain name "${name ?? ''}"`);
		const builtin = BUILTIN_CHAINS[table.name]!.includes(name);
		if (policy === undefined) throw new ParseError(lineNumber, col + 1 + name.length, `chain ${name}: expected a policy (ACCEPT, DROP or -)`);
		if (builtin && policy !== 'ACCEPT' && policy !== 'DROP') throw new ParseError(lineNumber, line.indexOf(policy, col) + 1, `built-in chain ${name} needs policy ACCEPT or DROP, got "${policy}"`);
		if (!builtin && policy !== '-') throw new ParseError(lineNumber, line.indexOf(policy, col) + 1, `user chain ${name} cannot have a policy ("${policy}"); expected "-"`);
		const counters = counterText ? parseCounters(counterText) : undefined;
		if (counterText && !counters) throw new ParseError(lineNumber, line.indexOf(counterText, col) + 1, `expected counters [packets:bytes], got "${counterText}"`);
		const chain = new ParsedChain(table, state.quick, name, builtin, lineNumber);
		if (builtin) chain.policy = policy;
		if (counters) chain.counters = counters;
		if (table.chains.has(name)) warnings.push({ line: lineNumber, column: col, text: `chain ${name} declared twice` });
		else declare(state, chain, lineStart + col);
		return;
	}
	const rule = parseCommand(line, lineNumber, table, state);
	if (rule && !state.usesConntrack && needsConntrack(rule)) state.usesConntrack = true;
}

/** Adds a chain declared by a `:NAME` line to the open table; its name is at `nameAt` in the input. */
function declare(state: ReadState, chain: Chain, nameAt: number): void {
	state.table!.chains.set(chain.name, chain);
	state.chains!.declared(chain, nameAt);
}

/** A rule whose target or match makes the kernel track connections (CONNTRACK_USERS). */
function needsConntrack(rule: Rule): boolean {
	return (rule.target !== undefined && CONNTRACK_USERS.has(rule.target.name)) || rule.matches.some((m) => CONNTRACK_USERS.has(m.name));
}

/** What String.prototype.trim removes, for the characters iptables-save can write at a line's ends. */
function isWhite(c: number): boolean {
	return c === 32 || c === 9 || c === 13 || c === 10 || c === 11 || c === 12 || c === 0xa0 || c === 0xfeff || c === 0x1680 || (c >= 0x2000 && (c <= 0x200a || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000));
}

/**
 * Rules placed by -A and -I. A restore file of 200,000 `-I CHAIN` lines would cost a splice at the head
 * each (quadratic), so rules inserted at the head wait apart, newest last, and go in front of the chain's
 * other rules once: when a rule is inserted further in, and at the end of the input (`finish`).
 */
class Insertions {
	readonly #heads = new Map<ParsedChain, Rule[]>();

	/** The chain's rules so far, the waiting ones included. */
	size(chain: ParsedChain): number {
		return chain.count + (this.#heads.get(chain)?.length ?? 0);
	}

	/** Puts the rule at 0-based `position` (Infinity: at the end). */
	add(chain: ParsedChain, position: number, rule: Rule): void {
		if (position >= this.size(chain)) chain.add(rule);
		else if (position === 0) {
			const heads = this.#heads.get(chain);
			if (heads) heads.push(rule);
			else this.#heads.set(chain, [rule]);
		} else {
			this.#settle(chain);
			chain.rules.splice(position, 0, rule);
		}
	}

	finish(): void {
		for (const chain of [...this.#heads.keys()]) this.#settle(chain);
	}

	#settle(chain: ParsedChain): void {
		const heads = this.#heads.get(chain);
		if (!heads) return;
		this.#heads.delete(chain);
		const rest = chain.rules.slice();
		chain.rules.length = 0;
		for (let i = heads.length - 1; i >= 0; i--) chain.rules.push(heads[i]!);
		for (const rule of rest) chain.rules.push(rule);
	}
}

function ensureChain(table: Table, quick: QuickRules, name: string, line: number): ParsedChain | undefined {
	// Every chain of a table the parser reads is one it made.
	let chain = table.chains.get(name) as ParsedChain | undefined;
	if (!chain && BUILTIN_CHAINS[table.name]!.includes(name)) {
		// iptables-restore input may add to a built-in chain it never declared (kube-proxy does).
		chain = new ParsedChain(table, quick, name, true, line);
		chain.policy = 'ACCEPT';
		table.chains.set(name, chain);
	}
	return chain;
}

function parseCommand(line: string, lineNumber: number, table: Table, state: ReadState): Rule | undefined {
	const { family, warnings, inserts, quick } = state;
	const all = tokenize(line, lineNumber);
	let counters: Counters | undefined;
	const first = all[0]!;
	let text = line.trim();
	let skip = 0;
	if (first.text.startsWith('[')) {
		counters = parseCounters(first.text);
		if (!counters) throw new ParseError(lineNumber, first.column, `expected counters [packets:bytes], got "${first.text}"`);
		skip = 1;
		text = line.slice(first.column - 1 + first.raw.length).trim();
	}
	const tokens = skip ? all.slice(skip) : all;
	const command = tokens[0];
	if (!command) throw new ParseError(lineNumber, first.column, 'expected a command such as -A after the counters');
	const ctx: ParseContext = new ParseContext(family, lineNumber, table.name);
	let created: Rule | undefined;
	switch (command.text) {
		case '-A': case '--append': case '-I': case '--insert': {
			const chainToken = tokens[1] ?? ctx.fail(command, `${command.text} expects a chain name`);
			const chain = ensureChain(table, quick, chainToken.text, lineNumber);
			if (!chain) ctx.fail(chainToken, `chain "${chainToken.text}" does not exist in table ${table.name} (declare it with ":${chainToken.text} - [0:0]")`);
			let skip = 2;
			const insert = command.text === '-I' || command.text === '--insert';
			// -I alone inserts at the head; -I CHAIN N before rule N, where N may be one past the last rule.
			let position = insert ? 0 : Infinity;
			if (insert && tokens[2] && isDigits(tokens[2].text)) {
				const number = Number(tokens[2].text);
				if (number === 0) ctx.fail(tokens[2], `invalid rule number "0": rules are numbered from 1`);
				if (number > inserts.size(chain) + 1) ctx.fail(tokens[2], `index of insertion too big: chain ${chain.name} has ${inserts.size(chain)} rules at this line`);
				position = number - 1;
				skip = 3;
			}
			const rule = parseRule(table, chain, lineNumber, text, line, skip + (all.length - tokens.length), tokens.slice(skip), ctx, counters);
			inserts.add(chain, position, rule);
			created = rule;
			break;
		}
		case '-N': case '--new-chain': {
			const name = tokens[1] ?? ctx.fail(command, '-N expects a chain name');
			if (!CHAIN_NAME.test(name.text)) ctx.fail(name, `invalid chain name "${name.text}"`);
			if (!table.chains.has(name.text)) table.chains.set(name.text, new ParsedChain(table, quick, name.text, false, lineNumber));
			break;
		}
		case '-P': case '--policy': {
			const name = tokens[1] ?? ctx.fail(command, '-P expects a chain and a policy');
			const policy = tokens[2] ?? ctx.fail(name, '-P expects a policy after the chain');
			const chain = ensureChain(table, quick, name.text, lineNumber);
			if (!chain || !chain.builtin) ctx.fail(name, `-P needs a built-in chain of table ${table.name}`);
			if (policy.text !== 'ACCEPT' && policy.text !== 'DROP') ctx.fail(policy, `policy must be ACCEPT or DROP, got "${policy.text}"`);
			chain.policy = policy.text;
			break;
		}
		default:
			ctx.fail(command, `expected -A, -I, -N or -P, got "${command.text}"`);
	}
	if (ctx.warnings.length) for (const warning of ctx.warnings) warnings.push(warning);
	return created;
}
