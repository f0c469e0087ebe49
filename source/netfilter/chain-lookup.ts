import type { Chain, Table } from './ruleset.js';

/** How many declared chains past the last one found are tried before the index. */
const LOOKAHEAD = 4;

/** Added to a name's length in an index slot for a built-in chain (names are shorter). */
const BUILTIN = 1 << 16;

/** What a name in a rule line is in its table (`ChainLookup.kind`). */
export const enum NameKind {
	None,
	UserChain,
	BuiltinChain,
}

/**
 * A start chosen per process, as V8 seeds its own string hashes: names made to share a hash for one seed
 * (a hostile dump making every look-up walk one long run of slots) do not for another.
 */
const SEED = Math.floor(Math.random() * 0x100000000);

/** FNV-1a of the text [at, end), from SEED. */
function hash(text: string, at: number, end: number): number {
	let h = 0x811c9dc5 ^ SEED;
	for (let i = at; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
	return h;
}

/**
 * Finds a table's chains by a name written in a rule line of the parser's input, for the quick reader.
 * Asking the table's map costs a cut of the name, its hash, and in a 40,000-chain map cache misses in the
 * map, the chain's name and the input where the name was cut from (a third of the quick reader's time on
 * a kube-proxy dump). Here:
 * - the chain of `-A CHAIN`: one chain's rules come in a run, and iptables-save writes the runs in the
 *   order it declared the chains, so it is the last line's chain or one of the next declared;
 * - otherwise an index of the declared chains in typed arrays: hashed from the characters of the line
 *   (no string cut), compared with the declaration's characters in the input.
 * Chains the table gained otherwise (-N, a built-in chain made by its first rule) are asked of the map.
 * Chains are only ever added to a table, never replaced, so a chain once found stays right.
 */
export class ChainLookup {
	readonly table: Table;
	readonly #input: string;
	/** The chains declared by `:NAME` lines, in order; where each name is in the input, and its length. */
	readonly #declared: Chain[] = [];
	#nameAt: Int32Array = new Int32Array(256);
	#nameLength: Int32Array = new Int32Array(256);
	/**
	 * Open addressing, kept at most half full. A slot is four numbers: the name's hash, where the name is in
	 * the input, its length (+ BUILTIN for a built-in chain), and its index in #declared + 1 (0: an empty
	 * slot). A look-up reads one slot and the name in the input, nothing else (each a cache miss when the
	 * table has 40,000 chains).
	 */
	#slots: Int32Array = new Int32Array(4 * 1024);
	/** How many of #declared are in #slots. */
	#indexed = 0;
	/** Where in #declared the chain after the last one `-A` named is. */
	#next = 0;
	#last = -1;

	constructor(table: Table, input: string) {
		this.table = table;
		this.#input = input;
	}

	/** A chain the table gained by a declaration line; its name is the input's text at `nameAt`. */
	declared(chain: Chain, nameAt: number): void {
		const index = this.#declared.length;
		this.#declared.push(chain);
		if (index === this.#nameAt.length) {
			this.#nameAt = grown(this.#nameAt);
			this.#nameLength = grown(this.#nameLength);
		}
		this.#nameAt[index] = nameAt;
		this.#nameLength[index] = chain.name.length;
		if (this.#indexed > 0) this.#index();
	}

	/** The chain `-A` names at [at, end) of the line (the input), or undefined when the table has none of that name. */
	appendedTo(line: string, at: number, end: number): Chain | undefined {
		if (this.#last >= 0 && this.#named(this.#last, line, at, end)) return this.#declared[this.#last];
		const stop = Math.min(this.#declared.length, this.#next + LOOKAHEAD);
		for (let i = this.#next; i < stop; i++) {
			if (this.#named(i, line, at, end)) {
				this.#next = i + 1;
				this.#last = i;
				return this.#declared[i];
			}
		}
		const slot = this.#find(line, at, end);
		if (slot >= 0) {
			this.#last = this.#slots[slot + 3]! - 1;
			return this.#declared[this.#last];
		}
		return this.#undeclared(line, at, end);
	}

	/** What the name at [at, end) of the line (the input) is: a user chain, a built-in chain, or neither. */
	kind(line: string, at: number, end: number): NameKind {
		const slot = this.#find(line, at, end);
		if (slot >= 0) return this.#slots[slot + 2]! >= BUILTIN ? NameKind.BuiltinChain : NameKind.UserChain;
		const chain = this.#undeclared(line, at, end);
		return chain === undefined ? NameKind.None : chain.builtin ? NameKind.BuiltinChain : NameKind.UserChain;
	}

	/** Where the declared chain's slot starts, or -1. */
	#find(line: string, at: number, end: number): number {
		if (this.#indexed < this.#declared.length) this.#index();
		const slots = this.#slots;
		const mask = slots.length - 4;
		const h = hash(line, at, end);
		const length = end - at;
		const input = this.#input;
		for (let i = (h * 4) & mask; ; i = (i + 4) & mask) {
			if (slots[i + 3] === 0) return -1;
			if (slots[i] !== h || slots[i + 2]! % BUILTIN !== length) continue;
			const from = slots[i + 1]!;
			let k = 0;
			while (k < length && line.charCodeAt(at + k) === input.charCodeAt(from + k)) k++;
			if (k === length) return i;
		}
	}

	/** A chain not declared by a `:NAME` line, when the table has any. */
	#undeclared(line: string, at: number, end: number): Chain | undefined {
		return this.#declared.length === this.table.chains.size ? undefined : this.table.chains.get(line.slice(at, end));
	}

	/** Whether the declared chain's name is the text [at, end) of the line. */
	#named(index: number, line: string, at: number, end: number): boolean {
		const length = this.#nameLength[index]!;
		if (length !== end - at) return false;
		const input = this.#input;
		const from = this.#nameAt[index]!;
		for (let i = 0; i < length; i++) if (line.charCodeAt(at + i) !== input.charCodeAt(from + i)) return false;
		return true;
	}

	/**
	 * Puts the chains declared since into the index: all at once when first needed (a tight loop, compiled
	 * soon; a dump declares its chains before their rules), then each as it comes.
	 */
	#index(): void {
		const declared = this.#declared;
		let from = this.#indexed;
		if (declared.length * 8 > this.#slots.length) {
			// Grown to its size at once, and filled anew.
			let size = this.#slots.length * 2;
			while (declared.length * 8 > size) size *= 2;
			this.#slots = new Int32Array(size);
			from = 0;
		}
		for (let index = from; index < declared.length; index++) {
			const at = this.#nameAt[index]!;
			const length = this.#nameLength[index]!;
			this.#place(hash(this.#input, at, at + length), at, length + (declared[index]!.builtin ? BUILTIN : 0), index + 1);
		}
		this.#indexed = declared.length;
	}

	#place(h: number, nameAt: number, length: number, index: number): void {
		const slots = this.#slots;
		const mask = slots.length - 4;
		let i = (h * 4) & mask;
		while (slots[i + 3] !== 0) i = (i + 4) & mask;
		slots[i] = h;
		slots[i + 1] = nameAt;
		slots[i + 2] = length;
		slots[i + 3] = index;
	}
}

/** The array in one twice as long. */
function grown(array: Int32Array): Int32Array {
	const bigger = new Int32Array(array.length * 2);
	bigger.set(array);
	return bigger;
}
