import { formatCidr } from '../packet/address.js';
import type { Packet } from '../packet/packet.js';
import { quickExactDestination } from './parse.js';
import type { Chain, Rule } from './ruleset.js';

/**
 * An index of a big chain (kube-proxy's KUBE-SERVICES: one rule per service) by exact destination, so
 * that a packet evaluates only the rules that can concern it.
 *
 * A rule is indexed when its first criterion that can fail is `-d ADDRESS/32` (or /128): no `-s` before
 * it (iptables checks the source first), not negated. For a packet whose destination is another address
 * the outcome of such a rule is certain and free of side effects — it does not match, no extension is
 * consulted, and the reason is the one the linear walk gives (`destination X is not in Y`) — so the
 * walker may step over it and record that, exactly. Every other rule is evaluated as always, in order.
 */
export interface ChainIndex {
	readonly family: 4 | 6;
	/** Rules that are not indexed, by position (ascending): always evaluated. */
	readonly others: readonly number[];
	/** Indexed rules by the key of their destination, positions ascending. */
	readonly byDestination: ReadonlyMap<number | string, readonly number[]>;
	readonly indexed: number;
}

/** Chains shorter than this are walked rule by rule: the index would not pay for itself. */
export const INDEX_MIN_RULES = 32;

const EMPTY: readonly number[] = [];
const indexes = new WeakMap<Chain, { rules: readonly Rule[]; length: number; index: ChainIndex | undefined }>();

/** Words as unsigned 32-bit numbers: the form cidrContains compares. */
function keyOf(words: readonly number[]): number | string {
	if (words.length === 1) return words[0]! >>> 0;
	let key = '';
	for (const w of words) key += `${w >>> 0}:`;
	return key;
}

/** An IPv4 address the quick reader checked (canonical dotted quad) as its word. */
function wordOf(address: string): number {
	let word = 0;
	let part = 0;
	for (let i = 0; i < address.length; i++) {
		const c = address.charCodeAt(i);
		if (c === 46) {
			word = word * 256 + part;
			part = 0;
		} else part = part * 10 + c - 48;
	}
	return (word * 256 + part) >>> 0;
}

/** The exact destination a rule's index key is made of, or undefined when the rule cannot be indexed. */
export function indexedDestination(rule: Rule): { words: readonly number[]; family: 4 | 6 } | undefined {
	// A rule the parser has not built yet says so without being built (the quick reader saw the line).
	const quick = quickExactDestination(rule);
	if (quick !== undefined) return quick === null ? undefined : { words: [wordOf(quick)], family: 4 };
	const { source, destination } = rule.basic;
	if (source || !destination || destination.negated) return undefined;
	const cidr = destination.value;
	if (cidr.prefix !== (cidr.family === 4 ? 32 : 128)) return undefined;
	return cidr;
}

function build(chain: Chain): ChainIndex | undefined {
	const others: number[] = [];
	const byDestination = new Map<number | string, number[]>();
	let family: 4 | 6 | undefined;
	let indexed = 0;
	chain.rules.forEach((rule, position) => {
		const destination = indexedDestination(rule);
		if (!destination || (family !== undefined && destination.family !== family)) {
			others.push(position);
			return;
		}
		family = destination.family;
		const key = keyOf(destination.words);
		const list = byDestination.get(key);
		if (list) list.push(position);
		else byDestination.set(key, [position]);
		indexed++;
	});
	// Worth it only when most of the chain can be stepped over.
	if (family === undefined || indexed < INDEX_MIN_RULES / 2 || indexed < others.length) return undefined;
	return { family, others, byDestination, indexed };
}

/** The chain's index (built on first use, rebuilt if the chain's rules changed), or undefined for a chain walked rule by rule. */
export function chainIndex(chain: Chain): ChainIndex | undefined {
	if (chain.rules.length < INDEX_MIN_RULES) return undefined;
	const cached = indexes.get(chain);
	if (cached && cached.rules === chain.rules && cached.length === chain.rules.length) return cached.index;
	const index = build(chain);
	indexes.set(chain, { rules: chain.rules, length: chain.rules.length, index });
	return index;
}

/** The first position ≥ from in an ascending list, or the list's length. */
function lowerBound(list: readonly number[], from: number): number {
	let lo = 0;
	let hi = list.length;
	while (lo < hi) {
		const mid = (lo + hi) >>> 1;
		if (list[mid]! < from) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}

/**
 * The position of the next rule at or after `from` that the packet must be evaluated against (the
 * chain's length when there is none): every rule before it is an indexed rule for another destination.
 */
export function nextCandidate(index: ChainIndex, packet: Packet, from: number, length: number): number {
	if (packet.dst.family !== index.family) return from;
	const bucket = index.byDestination.get(keyOf(packet.dst.words)) ?? EMPTY;
	const a = lowerBound(index.others, from);
	const b = lowerBound(bucket, from);
	return Math.min(a < index.others.length ? index.others[a]! : length, b < bucket.length ? bucket[b]! : length);
}

/** The reason the linear walk gives for an indexed rule and a packet to another destination. */
export function skippedReason(rule: Rule, destinationText: string): string {
	const quick = quickExactDestination(rule);
	// The quick reader took only canonical addresses: the text is what formatCidr prints.
	return `destination ${destinationText} is not in ${quick ? `${quick}/32` : formatCidr(rule.basic.destination!.value)}`;
}
