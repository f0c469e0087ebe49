import type { DecodedPacket } from './decode/packet.js';
import { asciiJson, destinationOf, layersJson, protocolOf, sourceOf, summarize, summaryNeedsEscape, truncationText } from './summary.js';
import { isoSecond } from './timestamp.js';

/** Buffer's own Latin-1 writer (what buf.write(text, offset, length, 'latin1') calls after checking its arguments). */
interface Latin1Writable {
	latin1Write(text: string, offset: number, length: number): number;
}

const POW10 = [1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000];

/**
 * Writes `pcap --json` lines (the same bytes as summary.ts's jsonLine) straight into byte buffers and
 * hands each full buffer to the sink: numbers become digits without becoming strings, and no line is
 * built as a string and encoded again. Every byte written is ASCII (jsonLine escapes the rest). A buffer
 * handed to the sink is never written again.
 */
export class JsonLineWriter {
	private buf: Buffer;
	private pos = 0;
	private lastIfName: string | undefined;
	private lastIfNameJson = '';

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
	private ascii(text: string): void {
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

	private int(value: number): void {
		if (value < 10) {
			this.room(1);
			this.buf[this.pos++] = 48 + value;
			return;
		}
		let digits = 1;
		if (value < 0x80000000) for (let x = value; x >= 10; x = (x / 10) | 0) digits++;
		else for (let x = value; x >= 10; x = Math.floor(x / 10)) digits++;
		this.digits(value, digits);
	}

	/** `value` as exactly `digits` decimal digits (zero-padded). */
	private digits(value: number, digits: number): void {
		this.room(digits);
		const b = this.buf;
		const start = this.pos;
		let p = start + digits;
		let x = value;
		if (x < 0x80000000) {
			while (p > start) {
				const q = (x / 10) | 0;
				b[--p] = 48 + x - q * 10;
				x = q;
			}
		} else {
			while (p > start) {
				const q = Math.floor(x / 10);
				b[--p] = 48 + x - q * 10;
				x = q;
			}
		}
		this.pos = start + digits;
	}

	/** One line, with its newline; `tail` (ASCII JSON fields, each after a comma) goes before its closing brace. */
	write(d: DecodedPacket, tail?: string): void {
		const f = d.frame;
		this.ascii('{"n":');
		this.int(f.n);
		if (f.hasTs) {
			let sec = f.sec;
			let nsec = f.nsec;
			if (nsec >= 1e9) {
				sec += Math.floor(nsec / 1e9);
				nsec %= 1e9;
			}
			const digits = f.digits > 9 ? 9 : f.digits;
			this.ascii(',"ts":"');
			this.ascii(isoSecond(sec));
			if (digits > 0) {
				this.ascii('.');
				this.digits(Math.floor(nsec / POW10[9 - digits]!), digits);
			}
			this.ascii('Z"');
		} else this.ascii(',"ts":null');
		this.ascii(',"caplen":');
		this.int(f.caplen);
		this.ascii(',"len":');
		this.int(f.len);
		this.ascii(',"layers":');
		this.ascii(layersJson(d));
		const src = sourceOf(d);
		const dst = destinationOf(d);
		if (src === null) this.ascii(',"src":null');
		else {
			this.ascii(',"src":"');
			this.ascii(src);
			this.ascii('"');
		}
		if (dst === null) this.ascii(',"dst":null');
		else {
			this.ascii(',"dst":"');
			this.ascii(dst);
			this.ascii('"');
		}
		this.ascii(',"proto":"');
		this.ascii(protocolOf(d));
		const t = d.transport;
		if (t !== undefined && (t.kind === 'tcp' || t.kind === 'udp')) {
			this.ascii('","sport":');
			this.int(t.sport);
			this.ascii(',"dport":');
			this.int(t.dport);
			this.ascii(',"summary":');
		} else this.ascii('","summary":');
		if (summaryNeedsEscape(d)) this.ascii(asciiJson(summarize(d)));
		else {
			this.ascii('"');
			this.ascii(summarize(d));
			this.ascii('"');
		}
		if (f.ifName !== undefined) {
			if (f.ifName !== this.lastIfName) {
				this.lastIfName = f.ifName;
				this.lastIfNameJson = asciiJson(f.ifName);
			}
			this.ascii(',"in":');
			this.ascii(this.lastIfNameJson);
		}
		if (d.truncated !== undefined) {
			this.ascii(',"truncated":');
			this.ascii(asciiJson(truncationText(d.truncated)));
		}
		if (d.notes !== undefined) {
			this.ascii(',"notes":');
			this.ascii(asciiJson(d.notes));
		}
		if (tail !== undefined) this.ascii(tail);
		this.ascii('}\n');
	}
}
