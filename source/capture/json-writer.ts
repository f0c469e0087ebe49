import type { DecodedPacket } from './decode/packet.js';
import { asciiJson, destinationOf, layersJsonBytes, protocolOf, sourceOf, summarize, summaryNeedsEscape, truncationText, writeTransportSummary } from './summary.js';
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
const TS_CLOSE = piece('Z"');
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

	/**
	 * Short strings byte by byte; longer ones (built by concatenation, so not flat: reading them a
	 * character at a time would be slow) in one native copy.
	 */
	text(text: string): void {
		const n = text.length;
		this.room(n);
		if (n > 16) {
			this.pos += (this.buf as unknown as Latin1Writable).latin1Write(text, this.pos, n);
			return;
		}
		const b = this.buf;
		let p = this.pos;
		for (let i = 0; i < n; i++) b[p++] = text.charCodeAt(i);
		this.pos = p;
	}

	/** Bytes made once (pre-encoded ASCII), copied into the line. */
	bytes(piece: Uint8Array): void {
		const n = piece.length;
		this.room(n);
		if (n > 32) {
			this.buf.set(piece, this.pos);
			this.pos += n;
			return;
		}
		const b = this.buf;
		let p = this.pos;
		for (let i = 0; i < n; i++) b[p++] = piece[i]!;
		this.pos = p;
	}

	private byte(code: number): void {
		this.room(1);
		this.buf[this.pos++] = code;
	}

	int(value: number): void {
		if (value < 10) {
			this.room(1);
			this.buf[this.pos++] = 48 + value;
			return;
		}
		// Counted by comparisons, not divisions; past ten digits (never in a capture's fields) by dividing.
		let digits = 2;
		while (digits < 10 && value >= POW10[digits]!) digits++;
		if (digits === 10) for (let x = Math.floor(value / 1e10); x >= 1; x = Math.floor(x / 10)) digits++;
		this.digits(value, digits);
	}

	/** `value` as exactly `digits` decimal digits (zero-padded). */
	private digits(value: number, digits: number): void {
		this.room(digits);
		const b = this.buf;
		const start = this.pos;
		let p = start + digits;
		let x = value;
		// Two digits per division, from a table of the pairs 00 … 99.
		if (x < 0x100000000) {
			// Below 2^32 an unsigned shift truncates the quotient (sequence numbers reach 2^32 - 1).
			while (p - start >= 2) {
				const q = (x / 100) >>> 0;
				const r = (x - q * 100) << 1;
				b[--p] = DIGIT_PAIRS[r + 1]!;
				b[--p] = DIGIT_PAIRS[r]!;
				x = q;
			}
		} else {
			while (p - start >= 2) {
				const q = Math.floor(x / 100);
				const r = (x - q * 100) << 1;
				b[--p] = DIGIT_PAIRS[r + 1]!;
				b[--p] = DIGIT_PAIRS[r]!;
				x = q;
			}
		}
		if (p > start) b[--p] = 48 + x;
		this.pos = start + digits;
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
		this.bytes(OPEN_N);
		this.int(f.n);
		if (f.hasTs) {
			let sec = f.sec;
			let nsec = f.nsec;
			if (nsec >= 1e9) {
				sec += Math.floor(nsec / 1e9);
				nsec %= 1e9;
			}
			const digits = f.digits > 9 ? 9 : f.digits;
			this.bytes(TS_OPEN);
			if (sec !== this.lastSec) {
				this.lastSec = sec;
				this.lastSecBytes = piece(isoSecond(sec));
			}
			this.bytes(this.lastSecBytes);
			if (digits > 0) {
				this.byte(46); // '.'
				this.digits(Math.floor(nsec / POW10[9 - digits]!), digits);
			}
			this.bytes(TS_CLOSE);
		} else this.bytes(TS_NULL);
		this.bytes(CAPLEN);
		this.int(f.caplen);
		this.bytes(LEN);
		this.int(f.len);
		this.bytes(LAYERS);
		this.bytes(layersJsonBytes(d));
		// Each quoted value's closing quote goes out with the next field's name, in one piece.
		const src = sourceOf(d);
		const dst = destinationOf(d);
		if (src === null) this.bytes(SRC_NULL);
		else {
			this.bytes(SRC_OPEN);
			this.text(src);
		}
		if (dst === null) this.bytes(src === null ? DST_NULL : DST_NULL_AFTER_SRC);
		else {
			this.bytes(src === null ? DST_AFTER_NULL_SRC : DST_OPEN);
			this.text(dst);
		}
		this.bytes(dst === null ? PROTO : PROTO_AFTER_DST);
		this.text(protocolOf(d));
		const t = d.transport;
		if (t !== undefined && (t.kind === 'tcp' || t.kind === 'udp')) {
			this.bytes(SPORT);
			this.int(t.sport);
			this.bytes(DPORT);
			this.int(t.dport);
			this.bytes(SUMMARY_AFTER_PORTS);
		} else this.bytes(SUMMARY);
		if (summaryNeedsEscape(d)) this.text(asciiJson(summarize(d)));
		else {
			this.byte(34); // '"'
			if (!writeTransportSummary(d, this)) this.text(summarize(d));
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
