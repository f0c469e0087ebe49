import type { DecodedPacket } from './decode/packet.js';
import { asciiJson, destinationOf, layersJsonBytes, protocolOf, sourceOf, summarize, summaryNeedsEscape, truncationText, writeSummary } from './summary.js';
import type { SummaryOut } from './summary.js';
import { isoSecond } from './timestamp.js';

/** Buffer's own Latin-1 writer (what buf.write(text, offset, length, 'latin1') calls after checking its arguments). */
interface Latin1Writable {
	latin1Write(text: string, offset: number, length: number): number;
}

const POW10 = [1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000];

const DIGIT_PAIRS = new Uint8Array(200);
for (let i = 0; i < 100; i++) {
	DIGIT_PAIRS[2 * i] = 48 + ((i / 10) | 0);
	DIGIT_PAIRS[2 * i + 1] = 48 + (i % 10);
}

/** The line's constant pieces as bytes: copying them is a short loop, not a string read per character. */
const piece = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'latin1'));
const OPEN_N = piece('{"n":');
const TS_OPEN = piece(',"ts":"');
const TS_NULL = piece(',"ts":null');
const TS_CLOSE_CAPLEN = piece('Z","caplen":');
const CAPLEN = piece(',"caplen":');
const LEN = piece(',"len":');
const LAYERS = piece(',"layers":');
const SRC_OPEN = piece(',"src":"');
const SRC_NULL = piece(',"src":null');
const DST_OPEN = piece('","dst":"');
const DST_AFTER_NULL_SRC = piece(',"dst":"');
const DST_NULL_AFTER_SRC = piece('","dst":null');
const DST_NULL = piece(',"dst":null');
const PROTO_AFTER_DST = piece('","proto":"');
const PROTO = piece(',"proto":"');
const SPORT = piece('","sport":');
const DPORT = piece(',"dport":');
const SUMMARY_AFTER_PORTS = piece(',"summary":');
const SUMMARY = piece('","summary":');
const IN = piece(',"in":');
const TRUNCATED = piece(',"truncated":');
const NOTES = piece(',"notes":');
const CLOSE = piece('}\n');

/**
 * Bytes a line's head (from '{' to the summary's opening quote) takes beyond its variable texts (the
 * seconds, layers, addresses and protocol, counted separately): the constant pieces and six numbers of
 * at most 16 digits, rounded up.
 */
const HEAD_FIXED = 256;

// Writing at a position: small functions over (buffer, position) that return the position after what
// they wrote. Callers make room first: a line's head is written after one room check, its position kept
// in a local, not loaded and stored in a property per part.

function putBytes(b: Uint8Array, p: number, piece: Uint8Array): number {
	const n = piece.length;
	if (n > 32) {
		b.set(piece, p);
		return p + n;
	}
	for (let i = 0; i < n; i++) b[p++] = piece[i]!;
	return p;
}

/** ASCII text (every string written here is): short strings by their character codes, longer ones natively. */
function putAscii(b: Buffer, p: number, text: string): number {
	const n = text.length;
	// Longer strings are mostly built by concatenation, not flat: reading them a character at a time is slow.
	if (n > 16) return p + (b as unknown as Latin1Writable).latin1Write(text, p, n);
	for (let i = 0; i < n; i++) b[p++] = text.charCodeAt(i);
	return p;
}

/** Decimal digits of a non-negative integer: at most 16 for any safe integer. */
function digitCount(value: number): number {
	// Counted by comparisons, not divisions; past ten digits (never in a capture's fields) by dividing.
	if (value < 100000) return value < 10 ? 1 : value < 100 ? 2 : value < 1000 ? 3 : value < 10000 ? 4 : 5;
	let digits = 6;
	while (digits < 10 && value >= POW10[digits]!) digits++;
	if (digits === 10) for (let x = Math.floor(value / 1e10); x >= 1; x = Math.floor(x / 10)) digits++;
	return digits;
}

function putInt(b: Uint8Array, p: number, value: number): number {
	if (value < 10) {
		b[p] = 48 + value;
		return p + 1;
	}
	return putDigits(b, p, value, digitCount(value));
}

/** `value` as exactly `digits` decimal digits (zero-padded). */
function putDigits(b: Uint8Array, p: number, value: number, digits: number): number {
	const end = p + digits;
	if (value <= 0x7fffffff) putSmallDigits(b, p, end, value);
	else {
		// One floating-point division takes the low eight digits off (sequence numbers reach 2^32 - 1);
		// what is left of any safe integer is below 2^31 too.
		const high = Math.floor(value / 1e8);
		putSmallDigits(b, end - 8, end, value - high * 1e8);
		putSmallDigits(b, p, end - 8, high);
	}
	return end;
}

/** `value` (< 2^31) right-aligned and zero-padded in b[start .. end). */
function putSmallDigits(b: Uint8Array, start: number, end: number, value: number): void {
	// As a 32-bit integer, a division by 100 compiles to a multiplication; two digits per division, from a table of the pairs 00 … 99.
	let x = value | 0;
	let p = end;
	while (p - start >= 2) {
		const q = (x / 100) | 0;
		const r = (x - q * 100) << 1;
		b[--p] = DIGIT_PAIRS[r + 1]!;
		b[--p] = DIGIT_PAIRS[r]!;
		x = q;
	}
	if (p > start) b[--p] = 48 + x;
}

/**
 * Writes `pcap --json` lines (the same bytes as summary.ts's jsonLine) straight into byte buffers and
 * hands each full buffer to the sink: numbers become digits without becoming strings, and no line is
 * built as a string and encoded again. Every byte written is ASCII (jsonLine escapes the rest). A buffer
 * handed to the sink is never written again.
 */
export class JsonLineWriter implements SummaryOut {
	private buf: Buffer;
	private pos = 0;
	private lastIfName: string | undefined;
	private lastIfNameJson = '';
	/** The date and time to the second of the last line, as bytes (it changes once a second of capture). */
	private lastSec = Number.NaN;
	private lastSecBytes: Uint8Array = new Uint8Array(0);

	constructor(
		private readonly sink: (chunk: Uint8Array) => void,
		private readonly capacity = 1 << 16,
	) {
		this.buf = Buffer.allocUnsafe(capacity);
	}

	/** Bytes waiting in the current buffer. */
	get pending(): number {
		return this.pos;
	}

	flush(): void {
		if (this.pos === 0) return;
		this.sink(this.buf.subarray(0, this.pos));
		this.buf = Buffer.allocUnsafe(this.capacity);
		this.pos = 0;
	}

	private room(n: number): void {
		if (this.pos + n <= this.buf.length) return;
		this.flush();
		if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n);
	}

	text(text: string): void {
		this.room(text.length);
		this.pos = putAscii(this.buf, this.pos, text);
	}

	/** Bytes made once (pre-encoded ASCII), copied into the line. */
	bytes(piece: Uint8Array): void {
		this.room(piece.length);
		this.pos = putBytes(this.buf, this.pos, piece);
	}

	private byte(code: number): void {
		this.room(1);
		this.buf[this.pos++] = code;
	}

	int(value: number): void {
		this.room(16);
		this.pos = putInt(this.buf, this.pos, value);
	}

	/** One line, with its newline. */
	write(d: DecodedPacket): void {
		this.fields(d);
		this.close();
	}

	/** Closes the line that fields() opened. */
	close(): void {
		this.bytes(CLOSE);
	}

	/** A line's fields, without its closing brace: more fields (each after a comma) may follow before close(). */
	fields(d: DecodedPacket): void {
		const f = d.frame;
		let sec = f.sec;
		let nsec = f.nsec;
		if (nsec >= 1e9) {
			sec += Math.floor(nsec / 1e9);
			nsec %= 1e9;
		}
		if (f.hasTs && sec !== this.lastSec) {
			this.lastSec = sec;
			this.lastSecBytes = piece(isoSecond(sec));
		}
		const layers = layersJsonBytes(d);
		const src = sourceOf(d);
		const dst = destinationOf(d);
		const proto = protocolOf(d);
		// The head up to the summary in one go: one check for room, then no check per part.
		this.room(HEAD_FIXED + this.lastSecBytes.length + layers.length + (src === null ? 0 : src.length) + (dst === null ? 0 : dst.length) + proto.length);
		const b = this.buf;
		let p = putBytes(b, this.pos, OPEN_N);
		p = putInt(b, p, f.n);
		if (f.hasTs) {
			const digits = f.digits > 9 ? 9 : f.digits;
			p = putBytes(b, p, TS_OPEN);
			p = putBytes(b, p, this.lastSecBytes);
			if (digits > 0) {
				b[p++] = 46; // '.'
				p = putDigits(b, p, Math.floor(nsec / POW10[9 - digits]!), digits);
			}
			p = putBytes(b, p, TS_CLOSE_CAPLEN);
		} else {
			p = putBytes(b, p, TS_NULL);
			p = putBytes(b, p, CAPLEN);
		}
		p = putInt(b, p, f.caplen);
		p = putBytes(b, p, LEN);
		p = putInt(b, p, f.len);
		p = putBytes(b, p, LAYERS);
		p = putBytes(b, p, layers);
		// Each quoted value's closing quote goes out with the next field's name, in one piece.
		if (src === null) p = putBytes(b, p, SRC_NULL);
		else {
			p = putBytes(b, p, SRC_OPEN);
			p = putAscii(b, p, src);
		}
		if (dst === null) p = putBytes(b, p, src === null ? DST_NULL : DST_NULL_AFTER_SRC);
		else {
			p = putBytes(b, p, src === null ? DST_AFTER_NULL_SRC : DST_OPEN);
			p = putAscii(b, p, dst);
		}
		p = putBytes(b, p, dst === null ? PROTO : PROTO_AFTER_DST);
		p = putAscii(b, p, proto);
		const t = d.transport;
		if (t !== undefined && (t.kind === 'tcp' || t.kind === 'udp')) {
			p = putBytes(b, p, SPORT);
			p = putInt(b, p, t.sport);
			p = putBytes(b, p, DPORT);
			p = putInt(b, p, t.dport);
			p = putBytes(b, p, SUMMARY_AFTER_PORTS);
		} else p = putBytes(b, p, SUMMARY);
		this.pos = p;
		if (summaryNeedsEscape(d)) this.text(asciiJson(summarize(d)));
		else {
			this.byte(34); // '"'
			writeSummary(d, this);
			this.byte(34);
		}
		if (f.ifName !== undefined) {
			if (f.ifName !== this.lastIfName) {
				this.lastIfName = f.ifName;
				this.lastIfNameJson = asciiJson(f.ifName);
			}
			this.bytes(IN);
			this.text(this.lastIfNameJson);
		}
		if (d.truncated !== undefined) {
			this.bytes(TRUNCATED);
			this.text(asciiJson(truncationText(d.truncated)));
		}
		if (d.notes !== undefined) {
			this.bytes(NOTES);
			this.text(asciiJson(d.notes));
		}
	}
}
