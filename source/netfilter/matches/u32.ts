import type { Packet } from '../../packet/packet.js';
import type { MatchExtension, ParseContext } from '../extension.js';
import type { Token } from '../tokens.js';
import { parseCNumber, readOptions } from './extension-kit.js';

/**
 * The packet as the kernel's byte matches (u32, string) see it: from the first byte of the IP header.
 * Built from the packet's fields; `known` holds, per byte, the bits netsleuth knows (IP id, checksums,
 * sequence numbers … are unknown), and the payload goes after the transport header when it is given.
 */
export interface PacketBytes {
	readonly bytes: Uint8Array;
	readonly known: Uint8Array;
	/** The packet's length from the IP header on. */
	readonly total: number;
	/** Where the payload starts, when the header lengths are known. */
	readonly payloadOffset?: number;
	readonly payloadKnown: boolean;
	/** What the layout takes for granted (no IP options …), for the assumptions of a match that reads it. */
	readonly layout: readonly string[];
}

const TCP_OPTION_LENGTHS: Readonly<Record<number, number>> = { 0: 1, 1: 1, 2: 4, 3: 3, 4: 2, 8: 10, 30: 4 };

export function packetBytes(packet: Packet): PacketBytes {
	const layout: string[] = [];
	const size = 40 + 60 + (packet.payload?.length ?? 0);
	const bytes = new Uint8Array(size);
	const known = new Uint8Array(size);
	const put = (offset: number, value: number, mask = 0xff) => {
		bytes[offset] = value & mask & 0xff;
		known[offset] = mask;
	};
	const put16 = (offset: number, value: number | undefined) => {
		if (value === undefined) return;
		put(offset, value >>> 8);
		put(offset + 1, value);
	};
	const putIp = (offset: number, words: readonly number[]) => {
		words.forEach((w, i) => {
			put(offset + 4 * i, w >>> 24);
			put(offset + 4 * i + 1, w >>> 16);
			put(offset + 4 * i + 2, w >>> 8);
			put(offset + 4 * i + 3, w);
		});
	};
	let ihl: number;
	if (packet.family === 4) {
		ihl = 20;
		layout.push('an IPv4 header without options (20 bytes)');
		put(0, 0x45);
		put(1, packet.tos);
		if (!packet.fragment) {
			put(6, 0, 0xbf); // DF unknown; MF and the offset zero: not a fragment
			put(7, 0);
		}
		put(8, packet.ttl);
		put(9, packet.proto);
		putIp(12, packet.src.words);
		putIp(16, packet.dst.words);
	} else {
		ihl = 40;
		layout.push('an IPv6 header without extension headers');
		put(0, 0x60 | (packet.tos >>> 4));
		put(1, (packet.tos & 0x0f) << 4, 0xf0);
		put(6, packet.proto);
		put(7, packet.ttl);
		putIp(8, packet.src.words);
		putIp(24, packet.dst.words);
	}
	let transport: number | undefined;
	if (!packet.fragment) {
		switch (packet.proto) {
			case 6: {
				put16(ihl, packet.sport);
				put16(ihl + 2, packet.dport);
				if (packet.tcpFlags !== undefined) put(ihl + 13, packet.tcpFlags);
				if (packet.tcpOptions) {
					let optionBytes = 0;
					for (const kind of packet.tcpOptions) optionBytes += TCP_OPTION_LENGTHS[kind] ?? NaN;
					if (Number.isFinite(optionBytes)) {
						const doff = 5 + Math.ceil(optionBytes / 4);
						put(ihl + 12, doff << 4, 0xf0);
						transport = doff * 4;
					}
				}
				break;
			}
			case 17:
			case 136:
				put16(ihl, packet.sport);
				put16(ihl + 2, packet.dport);
				transport = 8;
				break;
			case 1:
			case 58:
				if (packet.icmpType !== undefined) put(ihl, packet.icmpType);
				if (packet.icmpCode !== undefined) put(ihl + 1, packet.icmpCode);
				transport = 8;
				break;
			case 132:
				put16(ihl, packet.sport);
				put16(ihl + 2, packet.dport);
				transport = 12;
				break;
			case 33:
				put16(ihl, packet.sport);
				put16(ihl + 2, packet.dport);
				break;
			default:
				transport = 0;
		}
	}
	const payloadOffset = transport === undefined ? undefined : ihl + transport;
	let total = Math.max(packet.length, payloadOffset ?? ihl);
	let payloadKnown = false;
	if (packet.payload && payloadOffset !== undefined) {
		packet.payload.forEach((b, i) => put(payloadOffset + i, b));
		total = payloadOffset + packet.payload.length;
		payloadKnown = true;
	}
	if (packet.family === 4) put16(2, total);
	else put16(4, total - 40);
	if (packet.proto === 17 && payloadOffset !== undefined) put16(ihl + 4, total - ihl);
	return { bytes, known, total, payloadOffset, payloadKnown, layout };
}

type Op = '&' | '<<' | '>>' | '@';

interface U32Test {
	readonly start: number;
	readonly steps: readonly { op: Op; number: number }[];
	readonly ranges: readonly { min: number; max: number }[];
	readonly text: string;
}

export interface U32Options {
	readonly tests: readonly U32Test[];
	readonly negated: boolean;
	readonly text: string;
}

const U32_MAXSIZE = 10;

/** The u32 grammar of libxt_u32: tests joined by &&; location = number (op number)*; "="; ranges joined by ",". */
export function parseU32(token: Token, ctx: ParseContext): U32Test[] {
	const text = token.text;
	const base = token.column + (token.raw.startsWith('"') ? 1 : 0);
	const fail = (at: number, reason: string): never => ctx.fail({ ...token, column: base + at }, `u32: ${reason}`);
	const tests: U32Test[] = [];
	let i = 0;
	const skip = () => {
		while (i < text.length && /\s/.test(text[i]!)) i++;
	};
	const number = (): number => {
		skip();
		const m = /^(0x[0-9a-f]+|\d+)/i.exec(text.slice(i));
		const value = m ? parseCNumber(m[1]!) : undefined;
		if (!m || value === undefined || value > 0xffffffff) fail(i, `a number was expected at character ${i + 1}`);
		i += m![1]!.length;
		return value!;
	};
	for (;;) {
		const testStart = i;
		const start = number();
		const steps: { op: Op; number: number }[] = [];
		for (;;) {
			skip();
			const c = text[i];
			if (c === '=') {
				i++;
				break;
			}
			if (c === undefined) fail(testStart, 'the location ends without "=" and a value');
			let op: Op;
			if (c === '&') op = '&';
			else if (c === '@') op = '@';
			else if (c === '<' || c === '>') {
				if (text[i + 1] !== c) fail(i + 1, `a second "${c}" was expected`);
				op = c === '<' ? '<<' : '>>';
				i++;
			} else return fail(i, `an operator (&, <<, >>, @) or "=" was expected, got "${c}"`);
			i++;
			steps.push({ op, number: number() });
			if (steps.length + 1 > U32_MAXSIZE + 1) fail(i, `too many operators (at most ${U32_MAXSIZE})`);
		}
		const ranges: { min: number; max: number }[] = [];
		for (;;) {
			const min = number();
			skip();
			let max = min;
			if (text[i] === ':') {
				i++;
				max = number();
			}
			ranges.push({ min, max });
			if (ranges.length > U32_MAXSIZE) fail(i, `too many values (at most ${U32_MAXSIZE})`);
			skip();
			if (text[i] === ',') {
				i++;
				continue;
			}
			break;
		}
		tests.push({ start, steps, ranges, text: text.slice(testStart, i).trim() });
		if (tests.length > U32_MAXSIZE) fail(i, `too many "&&" (at most ${U32_MAXSIZE} tests)`);
		skip();
		if (i >= text.length) return tests;
		if (text[i] === '&' && text[i + 1] === '&') {
			i += 2;
			continue;
		}
		fail(i, `"," or "&&" was expected, got "${text[i]}"`);
	}
}

type Outcome = { result: 'true' | 'false'; why?: string } | { result: 'unknown'; why: string };

/** Reads the big-endian word at pos: its value and which of its bits are known. */
function word(p: PacketBytes, pos: number): { value: number; known: number } {
	let value = 0;
	let known = 0;
	for (let k = 0; k < 4; k++) {
		const at = pos + k;
		value = (value << 8) | (at < p.bytes.length ? p.bytes[at]! : 0);
		known = (known << 8) | (at < p.known.length ? p.known[at]! : 0);
	}
	return { value: value >>> 0, known: known >>> 0 };
}

/** One test, as xt_u32's u32_match_it runs it, on bytes whose bits may be unknown. */
function runTest(test: U32Test, p: PacketBytes): Outcome {
	let pos = test.start;
	let at = 0;
	if (p.total < 4 || pos > p.total - 4) return { result: 'false', why: `offset ${pos} is past the end of the ${p.total}-byte packet` };
	let { value, known } = word(p, pos);
	for (const { op, number } of test.steps) {
		switch (op) {
			case '&':
				value = (value & number) >>> 0;
				known = (known | ~number) >>> 0;
				break;
			case '<<':
				value = (value << number) >>> 0;
				known = ((known << number) | ((1 << (number & 31)) - 1)) >>> 0;
				break;
			case '>>':
				value = value >>> number;
				known = ((known >>> number) | ~(0xffffffff >>> (number & 31))) >>> 0;
				break;
			case '@':
				if (known !== 0xffffffff) return { result: 'unknown', why: `the offset before "@${number}" depends on bytes netsleuth does not know` };
				if (at + value > 0xffffffff) return { result: 'false', why: 'the offset overflows' };
				at += value;
				pos = number;
				if (at + 4 > p.total || pos > p.total - at - 4) return { result: 'false', why: `offset ${at}+${pos} is past the end of the ${p.total}-byte packet` };
				({ value, known } = word(p, at + pos));
				break;
		}
	}
	const min = (value & known) >>> 0;
	const max = (value | ~known) >>> 0;
	if (test.ranges.some((r) => r.min <= min && max <= r.max)) return { result: 'true' };
	const hex = `0x${value.toString(16)}`;
	// A range is out of reach when it lies beyond [min, max], or is one value whose known bits differ.
	const impossible = (r: { min: number; max: number }) => max < r.min || min > r.max || (r.min === r.max && ((r.min & known) >>> 0) !== ((value & known) >>> 0));
	if (test.ranges.every(impossible)) {
		const ranges = test.ranges.map((r) => (r.min === r.max ? `0x${r.min.toString(16)}` : `0x${r.min.toString(16)}:0x${r.max.toString(16)}`)).join(',');
		return { result: 'false', why: known === 0xffffffff ? `"${test.text}": the value is ${hex}` : `"${test.text}": the value cannot take any value in ${ranges}` };
	}
	return { result: 'unknown', why: `"${test.text}" reads bytes netsleuth does not know (${describeUnknown(p)})` };
}

function describeUnknown(p: PacketBytes): string {
	return p.payloadKnown ? 'header fields such as the IP id, checksums or TCP sequence numbers' : 'the payload or header fields such as the IP id';
}

/** -m u32: arithmetic on 32-bit words of the packet, from the IP header on (xt_u32). */
export const u32: MatchExtension<U32Options> = {
	name: 'u32',
	reads: { sport: true, length: true, payload: true, tcp: true, icmp: true },
	parse(uses, ctx) {
		let options: U32Options | undefined;
		for (const use of readOptions('u32', uses, ctx, { '--u32': { args: 1, negatable: true } })) {
			options = { tests: parseU32(use.args[0]!, ctx), negated: use.negated, text: use.args[0]!.text };
		}
		return ctx.require(options, 'u32 match needs --u32 TESTS');
	},
	evaluate(o, packet, env) {
		const bytes = packetBytes(packet);
		let unknown: string | undefined;
		let result = true;
		let why = '';
		for (const test of o.tests) {
			const outcome = runTest(test, bytes);
			if (outcome.result === 'false') {
				result = false;
				why = outcome.why ?? `"${test.text}" does not hold`;
				unknown = undefined;
				break;
			}
			if (outcome.result === 'unknown') unknown ??= outcome.why;
		}
		if (unknown) {
			env.assume(`u32 ${unknown}: the test is assumed to fail (layout: ${bytes.layout.join(', ')})`);
			result = false;
			why = `${unknown} (assumed to fail)`;
		} else if (bytes.layout.length) {
			env.assume(`u32 reads the packet as ${bytes.layout.join(', ')}`);
		}
		if (result !== o.negated) return null;
		return o.negated ? `every u32 test holds, which ! --u32 excludes` : why;
	},
};
