/**
 * The mutation engine: a seeded PRNG and byte-level mutators (bit flips, interesting bytes and numbers,
 * deletion, duplication, truncation, splices between seeds, insertion of hostile tokens) plus a few that
 * know the shape of the input (lines, JSON values, 32-bit length fields). Every input is a pure function
 * of (campaign seed, target, index): the watchdog can rebuild the input a hung worker was chewing on.
 */

import { prng as fractions } from '../kube-gen.js';

export type Rng = () => number;

/** mulberry32 (kube-gen.ts's, the same on every machine) as integers in [0, 2^32): its fractions scaled back exactly. */
export function prng(seed: number): Rng {
	const next = fractions(seed);
	return () => next() * 4294967296;
}

/** A 32-bit hash of a few integers (FNV-1a over their bytes), to seed one input's PRNG. */
export function hash(...values: number[]): number {
	let h = 0x811c9dc5;
	for (const v of values) {
		for (let k = 0; k < 4; k++) {
			h ^= (v >>> (8 * k)) & 0xff;
			h = Math.imul(h, 0x01000193);
		}
	}
	return h >>> 0;
}

const below = (rng: Rng, n: number): number => (n <= 0 ? 0 : rng() % n);
const pick = <T>(rng: Rng, list: readonly T[]): T => list[below(rng, list.length)]!;

const utf8 = (text: string): Uint8Array => Buffer.from(text, 'utf8');
/** A copy (a Buffer's slice() is a view: writing to it would change the seed). */
const copy = (bytes: Uint8Array): Uint8Array => new Uint8Array(bytes);

/** What a terminal acts on, and what confuses one that renders bidi text. */
export const TERMINAL_HOSTILE = [
	'\x1b[2J', '\x1b[H', '\x1b]52;c;ZWNobyBwd25lZA==\x07', '\x1b]0;title\x1b\\', '\x1bP+q544e\x1b\\', '\x1b[6n', '\x1b]8;;http://x\x07',
	'\u009b2J', '\u009d52;c;AA\u009c', '\u0090q\u009c', '\u0085', '\u202e', '\u202d', '\u2066', '\u2067', '\u2069', '\u200f',
	'\x07', '\x08', '\x00', '\x7f', '\r', '\u2028', '\u2029', '\ufeff',
];

/** Tokens worth dropping into any text. */
const TEXT_TOKENS = [
	...TERMINAL_HOSTILE,
	'!', '! ', '"', '\\"', '\\', "'", ' ', '\t', '\n', '\r\n', '-', '--', '=', ':', '/', '[', ']', '{', '}', ',', '#', '*', '%s', '%n',
	'0', '-1', '-0', '4294967295', '4294967296', '18446744073709551616', '99999999999999999999999999', '1e309', '-1e309', 'NaN', 'Infinity',
	'0x', '0xffffffff', '0x100000000', '1.5', '00000001', '255.255.255.255', '0.0.0.0/0', '::', '::ffff:1.2.3.4', 'fe80::1%eth0', '1.2.3.4/33',
	'\ud83d\ude00', '\u0301', 'é', '\uffff',
];

/** Numbers that break arithmetic: limits, signs, overflow, floats. */
const NUMBERS = ['0', '1', '-1', '255', '256', '65535', '65536', '2147483647', '2147483648', '4294967295', '4294967296', '9007199254740993', '1e21', '0.5', '-0', '08', '0x10', '99999999999999999999'];

/** 32-bit values for length and count fields. */
const U32 = [0, 1, 2, 3, 4, 11, 12, 16, 24, 28, 31, 32, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0x40000, 0x40001, 0x1000000, 0x1000001, 0x7fffffff, 0x80000000, 0xfffffff0, 0xfffffffc, 0xffffffff];

const INTERESTING_BYTES = [0x00, 0x01, 0x09, 0x0a, 0x0d, 0x1b, 0x20, 0x21, 0x22, 0x2d, 0x2f, 0x30, 0x39, 0x3a, 0x5b, 0x5c, 0x5d, 0x7b, 0x7d, 0x7f, 0x80, 0x9b, 0xc0, 0xe2, 0xef, 0xfe, 0xff];

export interface MutationContext {
	readonly rng: Rng;
	/** Other inputs of the same format, for splices. */
	readonly seeds: readonly Uint8Array[];
	/** Tokens of the format (options, keywords, field names), inserted beside the generic ones. */
	readonly dictionary: readonly string[];
	readonly binary: boolean;
	readonly json: boolean;
	/** Largest input made (a mutation that would exceed it is cut back). */
	readonly maxLength: number;
	/** Nest JSON thousands deep (slow to write out: the long run only). */
	readonly deep: boolean;
}

type Mutator = (input: Uint8Array, ctx: MutationContext) => Uint8Array;

function splice(input: Uint8Array, at: number, remove: number, insert: Uint8Array): Uint8Array {
	const out = new Uint8Array(input.length - remove + insert.length);
	out.set(input.subarray(0, at), 0);
	out.set(insert, at);
	out.set(input.subarray(at + remove), at + insert.length);
	return out;
}

/** Offsets of line starts. */
function lineStarts(input: Uint8Array): number[] {
	const starts = [0];
	for (let i = 0; i < input.length; i++) if (input[i] === 10 && i + 1 < input.length) starts.push(i + 1);
	return starts;
}

function lineAt(input: Uint8Array, starts: number[], k: number): [number, number] {
	const start = starts[k]!;
	const end = k + 1 < starts.length ? starts[k + 1]! : input.length;
	return [start, end];
}

/** A hostile token, sometimes repeated many times (deep nesting, long words, many negations). */
function token(ctx: MutationContext): string {
	const { rng } = ctx;
	const choice = below(rng, 10);
	const base = choice < 4 && ctx.dictionary.length ? pick(rng, ctx.dictionary) : pick(rng, TEXT_TOKENS);
	if (below(rng, 12) === 0) {
		const times = pick(rng, [2, 16, 300, 3000, 20000]);
		return base.repeat(times);
	}
	return base;
}

function u32Bytes(value: number, le: boolean): Uint8Array {
	return le
		? Uint8Array.of(value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, value >>> 24)
		: Uint8Array.of(value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff);
}

const MUTATORS: Record<string, Mutator> = {
	flipBit(input, { rng }) {
		if (input.length === 0) return input;
		const out = copy(input);
		const at = below(rng, out.length);
		out[at]! ^= 1 << below(rng, 8);
		return out;
	},
	setByte(input, { rng }) {
		if (input.length === 0) return Uint8Array.of(pick(rng, INTERESTING_BYTES));
		const out = copy(input);
		out[below(rng, out.length)] = below(rng, 3) === 0 ? below(rng, 256) : pick(rng, INTERESTING_BYTES);
		return out;
	},
	deleteRange(input, { rng }) {
		if (input.length < 2) return input;
		const at = below(rng, input.length);
		const n = 1 + below(rng, Math.min(input.length - at, below(rng, 2) ? 8 : 256));
		return splice(input, at, n, new Uint8Array(0));
	},
	duplicateRange(input, { rng }) {
		if (input.length === 0) return input;
		const at = below(rng, input.length);
		const n = 1 + below(rng, Math.min(input.length - at, 128));
		const times = below(rng, 4) === 0 ? 1 + below(rng, 64) : 1;
		const piece = input.subarray(at, at + n);
		const insert = new Uint8Array(piece.length * times);
		for (let k = 0; k < times; k++) insert.set(piece, k * piece.length);
		return splice(input, below(rng, input.length + 1), 0, insert);
	},
	truncate(input, { rng }) {
		return input.subarray(0, below(rng, input.length + 1));
	},
	insertToken(input, ctx) {
		const t = utf8(token(ctx));
		// Text formats: mostly at a word boundary, where a parser looks for the next word.
		let at = below(ctx.rng, input.length + 1);
		if (!ctx.binary && below(ctx.rng, 2) === 0) {
			while (at < input.length && input[at] !== 0x20 && input[at] !== 0x0a && input[at] !== 0x22) at++;
		}
		const replace = below(ctx.rng, 3) === 0 ? Math.min(input.length - at, 1 + below(ctx.rng, 8)) : 0;
		return splice(input, at, replace, t);
	},
	replaceNumber(input, { rng }) {
		// Finds a run of digits (from a random place) and swaps in an interesting number.
		if (input.length === 0) return input;
		let at = below(rng, input.length);
		let k = 0;
		while (k < input.length && !(input[at]! >= 0x30 && input[at]! <= 0x39)) {
			at = (at + 1) % input.length;
			k++;
		}
		if (k === input.length) return input;
		let start = at;
		while (start > 0 && input[start - 1]! >= 0x30 && input[start - 1]! <= 0x39) start--;
		let end = at;
		while (end < input.length && input[end]! >= 0x30 && input[end]! <= 0x39) end++;
		return splice(input, start, end - start, utf8(pick(rng, NUMBERS)));
	},
	spliceSeeds(input, { rng, seeds }) {
		// A prefix of this input and a suffix of another (or of itself).
		const other = seeds.length ? pick(rng, seeds) : input;
		const a = below(rng, input.length + 1);
		const b = below(rng, other.length + 1);
		const out = new Uint8Array(a + other.length - b);
		out.set(input.subarray(0, a), 0);
		out.set(other.subarray(b), a);
		return out;
	},
	lineOp(input, { rng, seeds }) {
		const starts = lineStarts(input);
		const k = below(rng, starts.length);
		const [start, end] = lineAt(input, starts, k);
		switch (below(rng, 4)) {
			case 0: // delete a line
				return splice(input, start, end - start, new Uint8Array(0));
			case 1: { // duplicate a line elsewhere
				const line = copy(input.subarray(start, end));
				const [to] = lineAt(input, starts, below(rng, starts.length));
				return splice(input, to, 0, line[line.length - 1] === 10 ? line : Buffer.concat([line, Uint8Array.of(10)]));
			}
			case 2: { // swap two lines
				const j = below(rng, starts.length);
				const [s2, e2] = lineAt(input, starts, j);
				if (j === k) return input;
				const [first, second] = start < s2 ? [[start, end], [s2, e2]] : [[s2, e2], [start, end]];
				return Buffer.concat([input.subarray(0, first[0]), input.subarray(second[0]!, second[1]), input.subarray(first[1], second[0]), input.subarray(first[0]!, first[1]), input.subarray(second[1])]);
			}
			default: { // a line of another seed
				const other = seeds.length ? pick(rng, seeds) : input;
				const os = lineStarts(other);
				const [s2, e2] = lineAt(other, os, below(rng, os.length));
				return splice(input, start, 0, other.subarray(s2, e2));
			}
		}
	},
	overwriteU32(input, { rng }) {
		if (input.length < 4) return input;
		const out = copy(input);
		// Mostly 4-aligned (where binary formats keep their fields), sometimes anywhere.
		let at = below(rng, out.length - 3);
		if (below(rng, 3) !== 0) at &= ~3;
		const value = below(rng, 4) === 0 ? rng() : pick(rng, U32);
		out.set(u32Bytes(value, below(rng, 2) === 0), at);
		return out;
	},
	overwriteU16(input, { rng }) {
		if (input.length < 2) return input;
		const out = copy(input);
		const at = below(rng, out.length - 1);
		const value = pick(rng, [0, 1, 4, 5, 6, 0x0800, 0x86dd, 0x0806, 0x8100, 0x88a8, 53, 4789, 6081, 51820, 0x7fff, 0xffff, 15, 0x45, 0x60]);
		if (below(rng, 2)) {
			out[at] = value >>> 8;
			out[at + 1] = value & 0xff;
		} else {
			out[at] = value & 0xff;
			out[at + 1] = value >>> 8;
		}
		return out;
	},
	jsonValue(input, ctx) {
		// Parses the JSON, swaps one value (or key) for a hostile one, and writes it back: mutants that get
		// past JSON.parse and into the validator.
		let doc: unknown;
		try {
			doc = JSON.parse(Buffer.from(input).toString('utf8'));
		} catch {
			return MUTATORS['insertToken']!(input, ctx);
		}
		const { rng } = ctx;
		// A random walk down the document picks the value to change (cheaper than listing every value).
		const keysOf = (v: unknown): (string | number)[] => (Array.isArray(v) ? v.map((_, i) => i) : v !== null && typeof v === 'object' ? Object.keys(v) : []);
		if (keysOf(doc).length === 0) return utf8(JSON.stringify([hostileValue(ctx)]));
		let holder = doc as Record<string, unknown> | unknown[];
		let key = pick(rng, keysOf(holder));
		for (let depth = 0; depth < 40; depth++) {
			const child = (holder as Record<string | number, unknown>)[key];
			const keys = keysOf(child);
			if (keys.length === 0 || below(rng, 3) === 0) break;
			holder = child as Record<string, unknown> | unknown[];
			key = pick(rng, keys);
		}
		if (!Array.isArray(holder) && below(rng, 6) === 0) {
			// Rename a key (keeps its value): a field spelt another way, or one the parser does not expect.
			const value = holder[key as string];
			delete holder[key as string];
			holder[below(rng, 2) ? `${key as string}${token(ctx)}` : pick(rng, ctx.dictionary.length ? ctx.dictionary : ['x'])] = value;
		} else if (Array.isArray(holder) && below(rng, 5) === 0) {
			// Duplicate or drop an element.
			if (below(rng, 2)) holder.splice(key as number, 1);
			else holder.splice(key as number, 0, holder[key as number]);
		} else {
			(holder as Record<string | number, unknown>)[key] = hostileValue(ctx, (holder as Record<string | number, unknown>)[key]);
		}
		try {
			const pretty = below(rng, 2) ? JSON.stringify(doc, null, 1) : undefined;
			return utf8(pretty !== undefined && pretty.length < ctx.maxLength / 2 ? pretty : JSON.stringify(doc));
		} catch {
			return input; // nested too deep for JSON.stringify
		}
	},
};

/** A JSON value of the wrong type, range or size, or a string carrying hostile characters. */
function hostileValue(ctx: MutationContext, current?: unknown): unknown {
	const { rng } = ctx;
	switch (below(rng, 12)) {
		case 0: return null;
		case 1: return pick(rng, [0, -1, 1.5, 4294967296, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 65536, 256, 129]);
		case 2: return pick(rng, [true, false]);
		case 3: return [];
		case 4: return {};
		case 5: {
			// Deep nesting.
			let v: unknown = current ?? 1;
			const depth = pick(rng, ctx.deep ? [10, 100, 600, 8000] : [10, 100, 600]);
			for (let k = 0; k < depth; k++) v = below(rng, 2) ? [v] : { a: v };
			return v;
		}
		case 6: return typeof current === 'string' ? `${current}${token(ctx)}` : token(ctx);
		case 7: return typeof current === 'string' ? `${token(ctx)}${current}` : pick(rng, NUMBERS);
		case 8: return 'x'.repeat(pick(rng, [16, 256, 70000]));
		case 9: return pick(rng, TERMINAL_HOSTILE) + (typeof current === 'string' ? current : 'eth0');
		case 10: return ctx.dictionary.length ? pick(rng, ctx.dictionary) : token(ctx);
		default: return typeof current === 'number' ? pick(rng, [current + 1, current - 1, -current, current * 65536]) : String(current);
	}
}

const TEXT_MUTATORS = ['flipBit', 'setByte', 'deleteRange', 'duplicateRange', 'truncate', 'insertToken', 'insertToken', 'insertToken', 'replaceNumber', 'replaceNumber', 'spliceSeeds', 'lineOp', 'lineOp'];
const JSON_MUTATORS = [...TEXT_MUTATORS, 'jsonValue', 'jsonValue', 'jsonValue', 'jsonValue', 'jsonValue', 'jsonValue'];
const BINARY_MUTATORS = ['flipBit', 'flipBit', 'setByte', 'setByte', 'deleteRange', 'duplicateRange', 'truncate', 'insertToken', 'spliceSeeds', 'overwriteU32', 'overwriteU32', 'overwriteU32', 'overwriteU16', 'overwriteU16'];

/** One mutant: 1 to 4 stacked mutations of `input`; the names of the mutations, for the report. */
export function mutate(input: Uint8Array, ctx: MutationContext): { bytes: Uint8Array; steps: string[] } {
	// JSON formats: half the mutants stay valid JSON, to get past JSON.parse into the validator.
	const valid = ctx.json && below(ctx.rng, 2) === 0;
	const names = ctx.binary ? BINARY_MUTATORS : valid ? ['jsonValue'] : ctx.json ? JSON_MUTATORS : TEXT_MUTATORS;
	const count = 1 + (below(ctx.rng, 8) === 0 ? below(ctx.rng, 8) : below(ctx.rng, 3));
	let bytes = input;
	const steps: string[] = [];
	for (let k = 0; k < count; k++) {
		const name = pick(ctx.rng, names);
		const next = MUTATORS[name]!(bytes, ctx);
		if (valid && next.length > ctx.maxLength) continue; // cutting it would make it invalid
		bytes = next.length > ctx.maxLength ? next.subarray(0, ctx.maxLength) : next;
		steps.push(name);
	}
	return { bytes, steps };
}
