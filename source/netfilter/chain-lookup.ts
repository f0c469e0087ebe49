import type { Chain, Table } from './ruleset.js';

/** How many declared chains past the last one found are tried before asking the map. */
const LOOKAHEAD = 4;
/** Slots for recent jump targets (a power of two). */
const RECENT = 64;

/** Whether the chain's name is the text [at, end) of the line. */
function named(chain: Chain, line: string, at: number, end: number): boolean {
	const name = chain.name;
	if (name.length !== end - at) return false;
	for (let i = 0; i < name.length; i++) if (line.charCodeAt(at + i) !== name.charCodeAt(i)) return false;
	return true;
}

/**
 * Finds a table's chains by a name written in a rule line, for the quick reader. Asking the table's map
 * costs a cut of the name, its hash and, in a 40,000-chain map, several cache misses; most lines of a big
 * dump need none of that:
 * - the chain of `-A CHAIN`: one chain's rules come in a run, and iptables-save writes the runs in the
 *   order it declared the chains, so it is the last line's chain or one of the next declared;
 * - a jump target: a few chains (kube-proxy's KUBE-MARK-MASQ) are the target of most rules, so recent
 *   targets are kept in slots chosen by the name's length and last characters.
 * Every answer is the chain whose name is the text (compared); anything else is asked of the map. Chains
 * are only ever added to a table, never replaced, so a chain once found stays right.
 */
export class ChainLookup {
	readonly table: Table;
	/** The chains declared by `:NAME` lines, in order. */
	readonly #declared: Chain[] = [];
	/** Where in #declared the chain after the last one found is. */
	#next = 0;
	#last: Chain | undefined;
	readonly #recent: (Chain | undefined)[] = new Array<Chain | undefined>(RECENT).fill(undefined);

	constructor(table: Table) {
		this.table = table;
	}

	/** A chain the table gained by a declaration line. */
	declared(chain: Chain): void {
		this.#declared.push(chain);
	}

	/** The chain `-A` names at [at, end) of the line, or undefined when the table has none of that name. */
	appendedTo(line: string, at: number, end: number): Chain | undefined {
		const last = this.#last;
		if (last !== undefined && named(last, line, at, end)) return last;
		const declared = this.#declared;
		const stop = Math.min(declared.length, this.#next + LOOKAHEAD);
		for (let i = this.#next; i < stop; i++) {
			const chain = declared[i]!;
			if (named(chain, line, at, end)) {
				this.#next = i + 1;
				this.#last = chain;
				return chain;
			}
		}
		const chain = this.table.chains.get(line.slice(at, end));
		if (chain !== undefined) this.#last = chain;
		return chain;
	}

	/** The chain a target names at [at, end) of the line (end - at ≥ 1, at ≥ 2), or undefined when the table has none of that name. */
	target(line: string, at: number, end: number): Chain | undefined {
		const slot = ((end - at) * 7 + line.charCodeAt(end - 1) * 31 + line.charCodeAt(end - 2)) & (RECENT - 1);
		const recent = this.#recent[slot];
		if (recent !== undefined && named(recent, line, at, end)) return recent;
		const chain = this.table.chains.get(line.slice(at, end));
		if (chain !== undefined) this.#recent[slot] = chain;
		return chain;
	}
}
