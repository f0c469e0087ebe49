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
 * separated by single spaces (a tab makes a value fail its check, or is inside quotes). Anything else — other options, old syntax, abbreviations, counters, IPv6 —
 * is left to the full parser (undefined), which reads it as always.
 */
export interface QuickRule {
	readonly chain: Chain;
	/** The rule's target, when it names a chain: it was one when the line was read. */
	readonly jumpsToChain: boolean;
	/** The rule needs connection tracking (its target is DNAT). */
	readonly conntrack: boolean;
	/**
	 * Where the address of a `-d A.B.C.D` or `-d A.B.C.D/32` (not negated, no `-s` in the rule) is in the
	 * line: the chain index reads it without building the rule. -1 when there is none.
	 */
	readonly destinationAt: number;
	readonly destinationEnd: number;
}

/** Targets the quick reader takes besides user chains. */
const SIMPLE_TARGETS = new Set(['ACCEPT', 'RETURN']);

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

// The reader's cursor over the line: the start of the next word. (quickCheck is synchronous.)
let at = 0;
let n = 0;

/** The end of the word at the cursor, or -1 for an empty word (two spaces) or a word followed by a trailing space. */
function end(line: string): number {
	if (at >= n) return -1;
	let e = line.indexOf(' ', at);
	if (e < 0) e = n;
	if (e === at || e === n - 1) return -1;
	return e;
}

/** Moves past the word ending at e. */
function skip(e: number): void {
	at = e + 1;
}

/** The word at the cursor is `word`: move past it. */
function take(line: string, word: string): boolean {
	const length = word.length;
	const e = at + length;
	if (e > n || (e !== n && (line.charCodeAt(e) !== 32 || e === n - 1))) return false;
	// Character by character: cheaper than startsWith for these short words.
	for (let i = 0; i < length; i++) if (line.charCodeAt(at + i) !== word.charCodeAt(i)) return false;
	at = e + 1;
	return true;
}

/** Whether the line has `word` at `from` (startsWith without its call overhead). */
function has(line: string, word: string, from: number): boolean {
	if (from + word.length > line.length) return false;
	for (let i = 0; i < word.length; i++) if (line.charCodeAt(from + i) !== word.charCodeAt(i)) return false;
	return true;
}

/** Whether the word at the cursor ends the words of the option before it (what the full parser's scan stops at). */
function optionNext(line: string): boolean {
	if (at >= n) return true;
	if (line.charCodeAt(at) !== 45 || at + 1 >= n) return false;
	const d = line.charCodeAt(at + 1);
	return d !== 32 && !(d >= 48 && d <= 57);
}

// Rules come grouped by chain, and many jump to the same chain: the last lookups, kept (chains are never replaced).
let lastTable: Table | undefined;
let lastChainName = '';
let lastChain: Chain | undefined;
let lastTargetName = '';
let lastTarget: Chain | undefined;

export function quickCheck(line: string, table: Table, family: 4 | 6): QuickRule | undefined {
	if (family !== 4 || !has(line, '-A ', 0)) return undefined;
	n = line.length;
	at = 3;
	if (table !== lastTable) {
		lastTable = table;
		lastChain = lastTarget = undefined;
		lastChainName = lastTargetName = '';
	}
	let e: number;
	let chain: Chain | undefined;
	if (lastChain && has(line, lastChainName, 3) && line.charCodeAt(3 + lastChainName.length) === 32) {
		chain = lastChain;
		e = 3 + lastChainName.length;
	} else {
		e = end(line);
		if (e < 0) return undefined;
		const name = line.slice(at, e);
		chain = table.chains.get(name);
		if (!chain) return undefined;
		lastChainName = name;
		lastChain = chain;
	}
	skip(e);
	let source = false;
	let destination = false;
	let proto = 0;
	let comment = false;
	let portMatch = 0;
	let statistic = false;
	let jumpsToChain = false;
	let dnatPort = false;
	let dnat = false;
	let destinationAt = -1;
	let destinationEnd = -1;
	while (at < n) {
		const negated = take(line, '!');
		if (negated) {
			// Only -s and -d are taken negated.
			if (!has(line, '-s ', at) && !has(line, '-d ', at)) return undefined;
		}
		// Every option taken here is two characters and a value follows: "-s ", "-d ", "-p ", "-m ", "-j ".
		if (line.charCodeAt(at) !== 45 || line.charCodeAt(at + 2) !== 32 || at + 3 >= n) return undefined;
		const option = line.charCodeAt(at + 1);
		at += 3;
		if (option === 115 /* s */ || option === 100 /* d */) {
			const isSource = option === 115;
			if (isSource ? source : destination) return undefined;
			e = end(line);
			if (e < 0 || !isPlainIpv4(line, at, e, true)) return undefined;
			if (isSource) source = true;
			else {
				destination = true;
				if (!negated) {
					// The address alone, or with /32: an exact destination. (isPlainIpv4 allows one or two prefix digits.)
					const slash = line.indexOf('/', at);
					if (slash < 0 || slash >= e) {
						destinationAt = at;
						destinationEnd = e;
					} else if (e - slash === 3 && line.charCodeAt(slash + 1) === 51 && line.charCodeAt(slash + 2) === 50) {
						destinationAt = at;
						destinationEnd = slash;
					}
				}
			}
			skip(e);
		} else if (option === 112 /* p */) {
			if (proto) return undefined;
			if (take(line, 'tcp')) proto = 6;
			else if (take(line, 'udp')) proto = 17;
			else return undefined;
		} else if (option === 109 /* m */) {
			if (take(line, 'comment')) {
				if (comment || !take(line, '--comment') || at >= n) return undefined;
				if (line.charCodeAt(at) === 34) {
					const close = line.indexOf('"', at + 1);
					if (close < 0 || close - at - 1 > 255) return undefined;
					const backslash = line.indexOf('\\', at);
					if (backslash >= 0 && backslash < close) return undefined;
					if (close + 1 < n && (line.charCodeAt(close + 1) !== 32 || close + 1 === n - 1)) return undefined;
					at = close + 2;
				} else {
					e = end(line);
					if (e < 0 || e - at > 255) return undefined;
					const c = line.charCodeAt(at);
					if (c === 45 || (c === 33 && e === at + 1)) return undefined;
					const quote = line.indexOf('"', at);
					const backslash = line.indexOf('\\', at);
					const tab = line.indexOf('\t', at);
					if ((quote >= 0 && quote < e) || (backslash >= 0 && backslash < e) || (tab >= 0 && tab < e)) return undefined;
					skip(e);
				}
				comment = true;
				if (!optionNext(line)) return undefined;
			} else if (take(line, 'tcp') || take(line, 'udp')) {
				if (portMatch) return undefined;
				portMatch = line.charCodeAt(at - 4) === 116 ? 6 : 17;
				let sport = false;
				let dport = false;
				for (;;) {
					const isDport = take(line, '--dport');
					if (!isDport && !take(line, '--sport')) break;
					if (isDport ? dport : sport) return undefined;
					if (isDport) dport = true;
					else sport = true;
					e = end(line);
					if (e < 0 || !isPort(line, at, e)) return undefined;
					skip(e);
					if (!optionNext(line)) return undefined;
				}
				if (!optionNext(line) || has(line, '--', at)) return undefined;
			} else if (take(line, 'statistic')) {
				if (statistic || !take(line, '--mode') || !take(line, 'random') || !take(line, '--probability')) return undefined;
				e = end(line);
				if (e < 0 || !isProbability(line, at, e)) return undefined;
				skip(e);
				if (!optionNext(line)) return undefined;
				statistic = true;
			} else return undefined;
		} else if (option === 106 /* j */) {
			e = end(line);
			if (e < 0) return undefined;
			let user: Chain | undefined;
			let name: string;
			if (lastTarget && e - at === lastTargetName.length && has(line, lastTargetName, at)) {
				name = lastTargetName;
				user = lastTarget;
			} else {
				name = line.slice(at, e);
				user = table.chains.get(name);
				if (user) {
					lastTargetName = name;
					lastTarget = user;
				}
			}
			skip(e);
			if (user) {
				if (user.builtin) return undefined;
				jumpsToChain = true;
			} else if (name === 'DNAT') {
				if (table.name !== 'nat' || !take(line, '--to-destination')) return undefined;
				e = end(line);
				if (e < 0) return undefined;
				const colon = line.indexOf(':', at);
				const ipEnd = colon >= 0 && colon < e ? colon : e;
				if (!isPlainIpv4(line, at, ipEnd, false)) return undefined;
				if (ipEnd < e) {
					if (!isPort(line, ipEnd + 1, e)) return undefined;
					dnatPort = true;
				}
				skip(e);
				dnat = true;
			} else if (!SIMPLE_TARGETS.has(name)) return undefined;
			// Nothing may follow the target and its options.
			if (at < n) return undefined;
		} else return undefined;
	}
	// What the kernel (and the full parser) requires of the protocol.
	if (portMatch && portMatch !== proto) return undefined;
	if (dnatPort && proto === 0) return undefined;
	// A source is checked before the destination: then the destination alone does not decide.
	if (source) destinationAt = destinationEnd = -1;
	return { chain, jumpsToChain, conntrack: dnat, destinationAt, destinationEnd };
}
