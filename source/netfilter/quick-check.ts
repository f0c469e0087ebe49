import { ChainLookup, NameKind } from './chain-lookup.js';
import type { Chain, Table } from './ruleset.js';

/**
 * A quick reader for the rule lines that make up the bulk of big dumps (kube-proxy's KUBE-SERVICES,
 * KUBE-SVC-*, KUBE-SEP-*, KUBE-EXT-*, KUBE-NODEPORTS), so the parser can check them without building
 * their objects, and build those only when the rule is first looked at.
 *
 * It says yes only for lines whose full parse is certain to succeed without a warning, and whose parse
 * later gives what it would give now: `-A CHAIN` then, each at most once,
 *   [!] -s A.B.C.D[/N]   [!] -d A.B.C.D[/N]   -p tcp|udp
 *   -m comment --comment TEXT          (TEXT ≤ 255 characters, quoted without escapes, or a plain word)
 *   -m tcp|udp [--dport N] [--sport N] (N a decimal port; the rule's -p names the same protocol)
 *   -m statistic --mode random --probability 0.DIGITS
 *   -j USER-CHAIN (declared above) | -j ACCEPT | -j RETURN | -j DNAT --to-destination A.B.C.D[:PORT] (nat; -p tcp|udp for a port)
 *   | -j REJECT --reject-with icmp-port-unreachable (filter)
 * separated by single spaces (a tab makes a value fail its check, or is inside quotes). Anything else — other options, old syntax, abbreviations, counters, IPv6 —
 * is left to the full parser (undefined), which reads it as always.
 */
export interface QuickRule {
	readonly chain: Chain;
	/** The rule's target, when it names a chain: it was one when the line was read. */
	readonly jumpsToChain: boolean;
	/** The rule needs connection tracking (its target is DNAT). */
	readonly conntrack: boolean;
	/** Its target is REJECT. */
	readonly reject: boolean;
	/** The rule has a target (-j): the last word of the line, or DNAT and its --to-destination. */
	readonly hasTarget: boolean;
	/**
	 * Where the address of a `-d A.B.C.D` or `-d A.B.C.D/32` (not negated, no `-s` in the rule) is in the
	 * text read (not from the line's start): the chain index reads it without building the rule. -1 when
	 * there is none.
	 */
	readonly destinationAt: number;
	readonly destinationEnd: number;
}

/** An IPv4 address in [start, end), with a /N when `slash` (what parseCidr and parseIp surely take). */
function isPlainIpv4(line: string, start: number, end: number, slash: boolean): boolean {
	let i = start;
	for (let part = 0; part < 4; part++) {
		const first = i;
		let value = 0;
		while (i < end) {
			const c = line.charCodeAt(i);
			if (c < 48 || c > 57) break;
			value = value * 10 + c - 48;
			i++;
		}
		const digits = i - first;
		if (digits === 0 || digits > 3 || (digits > 1 && line.charCodeAt(first) === 48) || value > 255) return false;
		if (part < 3) {
			if (i >= end || line.charCodeAt(i) !== 46) return false;
			i++;
		}
	}
	if (i === end) return true;
	if (!slash || line.charCodeAt(i) !== 47) return false;
	const digits = end - i - 1;
	if (digits < 1 || digits > 2) return false;
	let prefix = 0;
	for (let k = i + 1; k < end; k++) {
		const c = line.charCodeAt(k);
		if (c < 48 || c > 57) return false;
		prefix = prefix * 10 + c - 48;
	}
	return prefix <= 32;
}

/** A decimal port in [start, end). */
function isPort(line: string, start: number, end: number): boolean {
	if (end <= start || end - start > 5) return false;
	let value = 0;
	for (let i = start; i < end; i++) {
		const c = line.charCodeAt(i);
		if (c < 48 || c > 57) return false;
		value = value * 10 + c - 48;
	}
	return value <= 65535;
}

/** "0.DIGITS" or "1.0…" in [start, end): what statistic's --probability takes, between 0 and 1. */
function isProbability(line: string, start: number, end: number): boolean {
	if (end - start < 3 || line.charCodeAt(start + 1) !== 46) return false;
	const first = line.charCodeAt(start);
	if (first !== 48 && first !== 49) return false;
	for (let i = start + 2; i < end; i++) {
		const c = line.charCodeAt(i);
		if (c < 48 || c > 57) return false;
		if (first === 49 && c !== 48) return false;
	}
	return true;
}

/**
 * The end of the word at `at` in a line ending at n, or -1 for an empty word (two spaces) or a word
 * followed by a trailing space. The reader keeps its cursor in a local and passes it: module-level state
 * costs a context load per use.
 */
function wordEnd(line: string, at: number, n: number): number {
	if (at >= n) return -1;
	let e = line.indexOf(' ', at);
	if (e < 0 || e > n) e = n;
	if (e === at || e === n - 1) return -1;
	return e;
}

/** Where the next word starts when the word at `at` is `word`; -1 otherwise. */
function after(line: string, at: number, n: number, word: string): number {
	const length = word.length;
	const e = at + length;
	if (e > n || (e !== n && (line.charCodeAt(e) !== 32 || e === n - 1))) return -1;
	// Character by character: cheaper than startsWith for these short words.
	for (let i = 0; i < length; i++) if (line.charCodeAt(at + i) !== word.charCodeAt(i)) return -1;
	return e + 1;
}

/**
 * Where the character is in [from, to), or -1. Not indexOf: the line may be part of the whole input,
 * and a search past its end for a character the input lacks would read the rest of it, for every line.
 */
function find(line: string, c: number, from: number, to: number): number {
	for (let i = from; i < to; i++) if (line.charCodeAt(i) === c) return i;
	return -1;
}

/** Whether the line (ending at n) has `word` at `from` (startsWith without its call overhead). */
function has(line: string, word: string, from: number, n: number): boolean {
	if (from + word.length > n) return false;
	for (let i = 0; i < word.length; i++) if (line.charCodeAt(from + i) !== word.charCodeAt(i)) return false;
	return true;
}

/** Whether the word at `at` ends the words of the option before it (what the full parser's scan stops at). */
function optionNext(line: string, at: number, n: number): boolean {
	if (at >= n) return true;
	if (line.charCodeAt(at) !== 45 || at + 1 >= n) return false;
	const d = line.charCodeAt(at + 1);
	return d !== 32 && !(d >= 48 && d <= 57);
}

/**
 * Whether a text has a backslash in a range, for ranges that mostly move forward (the lines of an input
 * in order): each search goes on from the last backslash found, so an input without any is searched once
 * in all, not once a line.
 */
export class Backslashes {
	readonly #text: string;
	/** Where the last search started, and the first backslash from there (-1: none to the end). */
	#from = Infinity;
	#at = -1;

	constructor(text: string) {
		this.#text = text;
	}

	within(from: number, to: number): boolean {
		if (from < this.#from || (this.#at >= 0 && this.#at < from)) {
			this.#from = from;
			this.#at = this.#text.indexOf('\\', from);
		}
		return this.#at >= 0 && this.#at < to;
	}
}

/**
 * Where the words after a comment's text start, or -1 when the comment is not one the reader takes: a
 * quoted text without escapes, or a plain word, of at most 255 characters.
 */
function afterComment(line: string, at: number, n: number, backslashes: Backslashes): number {
	if (line.charCodeAt(at) === 34) {
		// The closing quote by indexOf: it is on this line, or the search stops at the next quote of the input.
		const close = line.indexOf('"', at + 1);
		if (close < 0 || close >= n || close - at - 1 > 255 || backslashes.within(at + 1, close)) return -1;
		if (close + 1 < n && (line.charCodeAt(close + 1) !== 32 || close + 1 === n - 1)) return -1;
		return close + 2;
	}
	const e = wordEnd(line, at, n);
	if (e < 0 || e - at > 255) return -1;
	const first = line.charCodeAt(at);
	if (first === 45 || (first === 33 && e === at + 1)) return -1;
	for (let i = at; i < e; i++) {
		const c = line.charCodeAt(i);
		if (c === 34 || c === 92 || c === 9) return -1;
	}
	return e + 1;
}

/** The one answer object, filled anew by each call (the parser reads it at once): no allocation per line. */
const answer: { -readonly [K in keyof QuickRule]: QuickRule[K] } = { chain: undefined as unknown as Chain, jumpsToChain: false, conntrack: false, reject: false, hasTarget: false, destinationAt: -1, destinationEnd: -1 };

/**
 * The quick reader's verdict on one line — the whole of `line`, or its part [start, n) (the parser passes
 * its whole input, so that a line is cut out only for the full parser): the rule's chain and what the
 * parser keeps, or undefined for the full parser. The answer is valid until the next call.
 */
export function quickCheck(line: string, table: Table, family: 4 | 6, start = 0, n = line.length, chains = new ChainLookup(table, line), backslashes = new Backslashes(line)): QuickRule | undefined {
	if (family !== 4 || !has(line, '-A ', start, n)) return undefined;
	let at = start + 3;
	let e = wordEnd(line, at, n);
	if (e < 0) return undefined;
	const chain = chains.appendedTo(line, at, e);
	if (!chain) return undefined;
	at = e + 1;
	let source = false;
	let destination = false;
	let proto = 0;
	let comment = false;
	let portMatch = 0;
	let statistic = false;
	let jumpsToChain = false;
	let dnatPort = false;
	let dnat = false;
	let reject = false;
	let hasTarget = false;
	let destinationAt = -1;
	let destinationEnd = -1;
	while (at < n) {
		// "! " before an option; read without a call (a call met first at the first negation, in compiled code, sends it back to the interpreter).
		const negated = line.charCodeAt(at) === 33 && at + 2 < n && line.charCodeAt(at + 1) === 32;
		if (negated) at += 2;
		// Every option taken here is two characters and a value follows: "-s ", "-d ", "-p ", "-m ", "-j ".
		if (line.charCodeAt(at) !== 45 || line.charCodeAt(at + 2) !== 32 || at + 3 >= n) return undefined;
		const option = line.charCodeAt(at + 1);
		// Only -s and -d are taken negated.
		if (negated && option !== 115 && option !== 100) return undefined;
		at += 3;
		if (option === 115 /* s */ || option === 100 /* d */) {
			const isSource = option === 115;
			if (isSource ? source : destination) return undefined;
			e = wordEnd(line, at, n);
			if (e < 0 || !isPlainIpv4(line, at, e, true)) return undefined;
			if (isSource) source = true;
			else {
				destination = true;
				if (!negated) {
					// The address alone, or with /32: an exact destination. (isPlainIpv4 allows one or two prefix digits.)
					const slash = find(line, 47 /* / */, at, e);
					if (slash < 0) {
						destinationAt = at;
						destinationEnd = e;
					} else if (e - slash === 3 && line.charCodeAt(slash + 1) === 51 && line.charCodeAt(slash + 2) === 50) {
						destinationAt = at;
						destinationEnd = slash;
					}
				}
			}
			at = e + 1;
		} else if (option === 112 /* p */) {
			if (proto) return undefined;
			let next = after(line, at, n, 'tcp');
			if (next >= 0) proto = 6;
			else if ((next = after(line, at, n, 'udp')) >= 0) proto = 17;
			else return undefined;
			at = next;
		} else if (option === 109 /* m */) {
			let next: number;
			// The module's name by its first letter, then the word.
			const first = line.charCodeAt(at);
			if (first === 99 /* c */ && (next = after(line, at, n, 'comment')) >= 0) {
				at = next;
				if (comment || (at = after(line, at, n, '--comment')) < 0 || at >= n) return undefined;
				if ((at = afterComment(line, at, n, backslashes)) < 0) return undefined;
				comment = true;
				if (!optionNext(line, at, n)) return undefined;
			} else if ((first === 116 /* t */ && (next = after(line, at, n, 'tcp')) >= 0) || (first === 117 /* u */ && (next = after(line, at, n, 'udp')) >= 0)) {
				if (portMatch) return undefined;
				portMatch = line.charCodeAt(at) === 116 ? 6 : 17;
				at = next;
				let sport = false;
				let dport = false;
				for (;;) {
					let isDport = true;
					if ((next = after(line, at, n, '--dport')) < 0) {
						isDport = false;
						if ((next = after(line, at, n, '--sport')) < 0) break;
					}
					at = next;
					if (isDport ? dport : sport) return undefined;
					if (isDport) dport = true;
					else sport = true;
					e = wordEnd(line, at, n);
					if (e < 0 || !isPort(line, at, e)) return undefined;
					at = e + 1;
					if (!optionNext(line, at, n)) return undefined;
				}
				if (!optionNext(line, at, n) || has(line, '--', at, n)) return undefined;
			} else if (first === 115 /* s */ && (next = after(line, at, n, 'statistic')) >= 0) {
				at = next;
				if (statistic || (at = after(line, at, n, '--mode')) < 0 || (at = after(line, at, n, 'random')) < 0 || (at = after(line, at, n, '--probability')) < 0) return undefined;
				e = wordEnd(line, at, n);
				if (e < 0 || !isProbability(line, at, e)) return undefined;
				at = e + 1;
				if (!optionNext(line, at, n)) return undefined;
				statistic = true;
			} else return undefined;
		} else if (option === 106 /* j */) {
			e = wordEnd(line, at, n);
			if (e < 0) return undefined;
			const targetAt = at;
			at = e + 1;
			const length = e - targetAt;
			// A user chain of the name wins, even one named DNAT or ACCEPT (iptables makes none, a dump may declare one).
			const user = chains.kind(line, targetAt, e);
			if (user === NameKind.BuiltinChain) return undefined;
			if (user === NameKind.UserChain) jumpsToChain = true;
			else if (length === 4 && has(line, 'DNAT', targetAt, n)) {
				if (table.name !== 'nat' || (at = after(line, at, n, '--to-destination')) < 0) return undefined;
				e = wordEnd(line, at, n);
				if (e < 0) return undefined;
				const colon = find(line, 58 /* : */, at, e);
				const ipEnd = colon >= 0 ? colon : e;
				if (!isPlainIpv4(line, at, ipEnd, false)) return undefined;
				if (ipEnd < e) {
					if (!isPort(line, ipEnd + 1, e)) return undefined;
					dnatPort = true;
				}
				at = e + 1;
				dnat = true;
			} else if (length === 6 && has(line, 'REJECT', targetAt, n)) {
				// kube-proxy's answer for a service without endpoints; REJECT is valid in the filter table only.
				if (table.name !== 'filter' || (at = after(line, at, n, '--reject-with')) < 0 || (at = after(line, at, n, 'icmp-port-unreachable')) < 0) return undefined;
				reject = true;
			} else if (!(length === 6 && (has(line, 'ACCEPT', targetAt, n) || has(line, 'RETURN', targetAt, n)))) return undefined;
			// Nothing may follow the target and its options.
			if (at < n) return undefined;
			hasTarget = true;
		} else return undefined;
	}
	// What the kernel (and the full parser) requires of the protocol.
	if (portMatch && portMatch !== proto) return undefined;
	if (dnatPort && proto === 0) return undefined;
	// A source is checked before the destination: then the destination alone does not decide.
	if (source) destinationAt = destinationEnd = -1;
	answer.chain = chain;
	answer.jumpsToChain = jumpsToChain;
	answer.conntrack = dnat;
	answer.reject = reject;
	answer.hasTarget = hasTarget;
	answer.destinationAt = destinationAt;
	answer.destinationEnd = destinationEnd;
	return answer;
}
