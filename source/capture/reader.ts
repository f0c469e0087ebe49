import { CaptureError, type Frame } from './frame.js';

/**
 * netsleuth's capture reader: classic pcap (both byte orders, µs and ns) and pcapng (SHB, IDB, EPB,
 * SPB, OPB; every other block skipped; several sections, each with its own byte order; per-interface
 * if_tsresol and if_tsoffset). Push-based and streaming: `feed` chunks as they arrive, take frames with
 * `next` until it returns undefined, and call `end` when the input ends. Only the record being read is
 * buffered, so memory does not grow with the file. A record that cannot be right throws a CaptureError
 * naming its byte offset, after every frame before it has been returned.
 */

const PCAP_US = 0xa1b2c3d4;
const PCAP_NS = 0xa1b23c4d;
const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_BOM = 0x1a2b3c4d;
const IDB = 1;
const OPB = 2;
const SPB = 3;
const EPB = 6;
/** Largest record netsleuth accepts: a larger length field means the file is damaged. */
export const MAX_RECORD = 16 * 1024 * 1024;
/** libpcap's largest snapshot length for most link types: a caplen beyond it and the snaplen is damage. */
const MAX_SNAPLEN = 262144;

const EMPTY = new Uint8Array(0);

interface Interface {
	linkType: number;
	snaplen: number;
	name: string | undefined;
	/** Timestamp units per second. */
	units: number;
	/** 10^k for k ≤ 9: multiply the fraction by this to get nanoseconds (0 when units is not such a power). */
	toNanos: number;
	digits: number;
	/** if_tsoffset, seconds. */
	tsOffset: number;
}

export type CaptureFormat = 'pcap' | 'pcapng';

export class CaptureReader {
	private buf: Uint8Array = EMPTY;
	private pos = 0;
	/** File offset of buf[0]. */
	private base = 0;
	/** When buf is a record joined across two chunks: the later chunk, read from `afterAt` once buf is done. */
	private after: Uint8Array | undefined;
	private afterAt = 0;
	private state: 0 | 1 | 2 = 0; // 0 before the file header, 1 pcap records, 2 pcapng blocks
	format: CaptureFormat | undefined;
	/** Frames yielded so far. */
	count = 0;
	// classic pcap
	private le = true;
	private nano = false;
	linkType = -1;
	private snaplen = 0;
	// pcapng
	private interfaces: Interface[] = [];
	/** Sections seen (pcapng). */
	sections = 0;

	/** Appends input. No buffer is ever written once given or made, so frames already yielded stay valid. */
	feed(chunk: Uint8Array): void {
		if (chunk.length === 0) return;
		if (this.after !== undefined) this.settle(true);
		if (this.pos >= this.buf.length) {
			this.base += this.buf.length;
			this.buf = chunk;
			this.pos = 0;
			return;
		}
		const rest = this.buf.length - this.pos;
		// The record begun in the held bytes is copied out alone when its length can be read: the rest of the
		// chunk is read where it is (joining the whole chunk copied it all, and made a garbage chunk of it).
		const length = this.lengthAcross(chunk);
		if (length > rest && length - rest < chunk.length) {
			this.join(chunk, length - rest);
			this.after = chunk;
			this.afterAt = length - rest;
		} else this.join(chunk, chunk.length);
	}

	/** Makes buf the held bytes followed by chunk's first `take` bytes. */
	private join(chunk: Uint8Array, take: number): void {
		const rest = this.buf.length - this.pos;
		// Not zero-filled (every byte is written next), and a Buffer like the chunks a file stream gives:
		// the decoders then see one kind of array.
		const joined = Buffer.allocUnsafe(rest + take);
		joined.set(this.buf.subarray(this.pos), 0);
		joined.set(take === chunk.length ? chunk : chunk.subarray(0, take), rest);
		this.base += this.pos;
		this.buf = joined;
		this.pos = 0;
	}

	/**
	 * The length of the record that begins at pos, read across the held bytes and the chunk; 0 when it
	 * cannot be read from its header alone (the file header, a pcapng section header, too few bytes).
	 */
	private lengthAcross(chunk: Uint8Array): number {
		const held = this.buf.length - this.pos;
		const byte = (i: number): number => (i < held ? this.buf[this.pos + i]! : chunk[i - held]!);
		const word = (i: number): number =>
			this.le ? (byte(i) | (byte(i + 1) << 8) | (byte(i + 2) << 16) | (byte(i + 3) << 24)) >>> 0 : ((byte(i) << 24) | (byte(i + 1) << 16) | (byte(i + 2) << 8) | byte(i + 3)) >>> 0;
		if (this.state === 1) return held + chunk.length >= 12 ? 16 + word(8) : 0;
		if (this.state !== 2 || held + chunk.length < 8) return 0;
		const shb = ((byte(0) << 24) | (byte(1) << 16) | (byte(2) << 8) | byte(3)) >>> 0 === PCAPNG_SHB;
		return shb ? 0 : word(4);
	}

	/**
	 * Goes on in the chunk after a joined record once the record is read; with `all`, also before (the
	 * bytes left of the record joined with the rest of the chunk: more input is coming).
	 */
	private settle(all: boolean): void {
		const after = this.after!;
		if (this.pos >= this.buf.length) {
			this.base += this.buf.length - this.afterAt;
			this.buf = after;
			this.pos = this.afterAt;
		} else if (all) this.join(after.subarray(this.afterAt), after.length - this.afterAt);
		else return;
		this.after = undefined;
	}

	/** Bytes held that no frame has been taken from yet (at most one record and one chunk). */
	get buffered(): number {
		return this.buf.length - this.pos + (this.after === undefined ? 0 : this.after.length - this.afterAt);
	}

	/** Bytes consumed so far (the file offset of the next record). */
	get consumed(): number {
		return this.base + this.pos;
	}

	/** The next complete frame, or undefined when more input is needed. */
	next(): Frame | undefined {
		for (;;) {
			const frame = this.state === 1 ? this.nextPcap() : this.state === 2 ? this.nextPcapng() : this.first();
			if (frame !== undefined || this.after === undefined || this.pos < this.buf.length) return frame;
			this.settle(false);
		}
	}

	/** The file header, and the first frame after it. */
	private first(): Frame | undefined {
		if (this.buf.length - this.pos < 4) return undefined;
		const magic = this.u32be(this.pos);
		if (magic === PCAPNG_SHB) {
			this.format = 'pcapng';
			this.state = 2;
			return this.nextPcapng();
		}
		if (!this.pcapHeader()) return undefined;
		return this.nextPcap();
	}

	/** Input has ended: throws when it ended inside a header or record. */
	end(): void {
		if (this.after !== undefined) this.settle(true);
		const left = this.buf.length - this.pos;
		if (this.state === 0) {
			if (this.base + this.buf.length === 0) throw new CaptureError('the file is empty', 0, 0);
			if (left < 4) throw new CaptureError(`the file ends after ${left} bytes, inside the file header`, this.consumed, 0);
			if (this.format === undefined) this.next(); // a wrong magic number says so, rather than "ends inside"
			throw new CaptureError(`the file ends inside the file header (${left} bytes)`, this.consumed, 0);
		}
		if (left === 0) return;
		if (this.state === 1) {
			const need = left < 16 ? 16 : 16 + this.u32(this.pos + 8);
			throw new CaptureError(`the file ends inside packet record ${this.count + 1}: ${left} of its ${need} bytes are there`, this.consumed, this.count);
		}
		const need = left < 12 ? 12 : this.blockLength(this.pos);
		throw new CaptureError(`the file ends inside a pcapng block: ${left} of its ${need} bytes are there`, this.consumed, this.count);
	}

	// ── byte access ────────────────────────────────────────────────────────────────────────────────

	private u32be(at: number): number {
		const b = this.buf;
		return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
	}

	private u32le(at: number): number {
		const b = this.buf;
		return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
	}

	private u32(at: number): number {
		return this.le ? this.u32le(at) : this.u32be(at);
	}

	private u16(at: number): number {
		const b = this.buf;
		return this.le ? b[at]! | (b[at + 1]! << 8) : (b[at]! << 8) | b[at + 1]!;
	}

	// ── classic pcap ───────────────────────────────────────────────────────────────────────────────

	private pcapHeader(): boolean {
		const at = this.pos;
		const be = this.u32be(at);
		const le = this.u32le(at);
		if (be === PCAP_US || be === PCAP_NS) this.le = false;
		else if (le === PCAP_US || le === PCAP_NS) this.le = true;
		else {
			const hex = Array.from(this.buf.subarray(at, at + 4), (b) => b.toString(16).padStart(2, '0')).join('');
			throw new CaptureError(`not a pcap or pcapng file (magic number 0x${hex})`, this.consumed, 0);
		}
		this.format = 'pcap';
		this.nano = (this.le ? le : be) === PCAP_NS;
		if (this.buf.length - at < 24) return false;
		const major = this.u16(at + 4);
		const minor = this.u16(at + 6);
		if (major !== 2) throw new CaptureError(`unsupported pcap version ${major}.${minor} (netsleuth reads 2.x)`, this.base + at + 4, 0);
		this.snaplen = this.u32(at + 16);
		// The upper bits of the link type field carry the FCS length: keep the link type only.
		this.linkType = this.u32(at + 20) & 0x03ffffff;
		this.pos = at + 24;
		this.state = 1;
		return true;
	}

	private nextPcap(): Frame | undefined {
		const at = this.pos;
		const avail = this.buf.length - at;
		if (avail < 16) return undefined;
		const caplen = this.u32(at + 8);
		// A snapshot length field of 4 GB must not let a record claim as much: the record would be buffered
		// (and re-joined at every chunk) until the file ends.
		if (caplen > MAX_SNAPLEN && (caplen > this.snaplen || caplen > MAX_RECORD)) {
			const limit = caplen > this.snaplen ? `the snapshot length ${this.snaplen} and ${MAX_SNAPLEN}` : `${MAX_RECORD}, the most netsleuth reads in one record`;
			throw new CaptureError(`packet record ${this.count + 1} claims ${caplen} captured bytes, more than ${limit}: the file is damaged`, this.base + at, this.count);
		}
		if (avail < 16 + caplen) return undefined;
		const frac = this.u32(at + 4);
		this.pos = at + 16 + caplen;
		this.count++;
		return {
			n: this.count,
			offset: this.base + at,
			hasTs: true,
			sec: this.u32(at),
			nsec: this.nano ? frac : frac * 1000,
			digits: this.nano ? 9 : 6,
			linkType: this.linkType,
			iface: 0,
			ifName: undefined,
			caplen,
			len: this.u32(at + 12),
			buf: this.buf,
			start: at + 16,
		};
	}

	// ── pcapng ─────────────────────────────────────────────────────────────────────────────────────

	private blockLength(at: number): number {
		if (this.u32be(at) === PCAPNG_SHB && this.buf.length - at >= 12) {
			const bom = this.u32be(at + 8);
			return bom === PCAPNG_BOM ? this.u32be(at + 4) : this.u32le(at + 4);
		}
		return this.u32(at + 4);
	}

	private nextPcapng(): Frame | undefined {
		for (;;) {
			const at = this.pos;
			const avail = this.buf.length - at;
			if (avail < 12) return undefined;
			let type = this.u32(at);
			if (this.u32be(at) === PCAPNG_SHB) {
				type = PCAPNG_SHB;
				const bom = this.u32be(at + 8);
				if (bom === PCAPNG_BOM) this.le = false;
				else if (this.u32le(at + 8) === PCAPNG_BOM) this.le = true;
				else throw new CaptureError(`pcapng section header block with an unknown byte-order magic 0x${bom.toString(16).padStart(8, '0')}`, this.base + at, this.count);
			} else if (this.sections === 0) {
				throw new CaptureError('a pcapng file must begin with a section header block', this.base + at, this.count);
			}
			const total = this.u32(at + 4);
			if (total < 12 || total % 4 !== 0 || total > MAX_RECORD) {
				throw new CaptureError(`pcapng block of type 0x${type.toString(16)} has an impossible length ${total}`, this.base + at, this.count);
			}
			if (avail < total) return undefined;
			if (this.u32(at + total - 4) !== total) {
				throw new CaptureError(`pcapng block of type 0x${type.toString(16)}: its trailing length ${this.u32(at + total - 4)} differs from its length ${total}`, this.base + at, this.count);
			}
			this.pos = at + total;
			switch (type) {
				case PCAPNG_SHB:
					this.section(at, total);
					break;
				case IDB:
					this.interfaceBlock(at, total);
					break;
				case EPB:
				case OPB:
					return this.packetBlock(at, total, type);
				case SPB:
					return this.simpleBlock(at, total);
				default:
					break; // NRB, ISB, DSB, custom and unknown blocks carry no packets
			}
		}
	}

	private section(at: number, total: number): void {
		if (total < 28) throw new CaptureError(`pcapng section header block is ${total} bytes, shorter than 28`, this.base + at, this.count);
		const major = this.u16(at + 12);
		const minor = this.u16(at + 14);
		if (major !== 1) throw new CaptureError(`unsupported pcapng section version ${major}.${minor}`, this.base + at, this.count);
		this.interfaces = [];
		this.sections++;
	}

	private interfaceBlock(at: number, total: number): void {
		if (total < 20) throw new CaptureError(`pcapng interface description block is ${total} bytes, shorter than 20`, this.base + at, this.count);
		const iface: Interface = {
			linkType: this.u16(at + 8), snaplen: this.u32(at + 12), name: undefined,
			units: 1e6, toNanos: 1000, digits: 6, tsOffset: 0,
		};
		const end = at + total - 4;
		let o = at + 16;
		while (o + 4 <= end) {
			const code = this.u16(o);
			const length = this.u16(o + 2);
			const value = o + 4;
			if (code === 0) break;
			if (value + length > end) throw new CaptureError(`pcapng interface option ${code} runs past its block`, this.base + o, this.count);
			if (code === 2) iface.name = Buffer.from(this.buf.buffer, this.buf.byteOffset + value, length).toString('utf8').replace(/\0+$/, '');
			else if (code === 9 && length >= 1) {
				const r = this.buf[value]!;
				const exp = r & 0x7f;
				if ((r & 0x80) === 0) {
					iface.units = 10 ** exp;
					iface.digits = exp;
					iface.toNanos = exp <= 9 ? 10 ** (9 - exp) : 0;
				} else {
					iface.units = 2 ** exp;
					iface.digits = 9;
					iface.toNanos = 0;
				}
			} else if (code === 14 && length >= 8) {
				const hi = this.le ? this.u32le(value + 4) | 0 : this.u32be(value) | 0;
				const lo = this.le ? this.u32le(value) : this.u32be(value + 4);
				iface.tsOffset = hi * 4294967296 + lo;
			}
			o = value + ((length + 3) & ~3);
		}
		this.interfaces.push(iface);
	}

	private packetBlock(at: number, total: number, type: number): Frame {
		if (total < 32) throw new CaptureError(`pcapng packet block is ${total} bytes, shorter than 32`, this.base + at, this.count);
		const id = type === EPB ? this.u32(at + 8) : this.u16(at + 8);
		const iface = this.interfaces[id];
		if (iface === undefined) throw new CaptureError(`pcapng packet block names interface ${id}, but the section describes ${this.interfaces.length}`, this.base + at, this.count);
		const caplen = this.u32(at + 20);
		if (28 + caplen + 4 > total) throw new CaptureError(`pcapng packet block claims ${caplen} captured bytes, more than its length ${total} holds`, this.base + at, this.count);
		this.count++;
		const frame: Frame = {
			n: this.count, offset: this.base + at, hasTs: true, sec: 0, nsec: 0, digits: iface.digits,
			linkType: iface.linkType, iface: id, ifName: iface.name, caplen, len: this.u32(at + 24),
			buf: this.buf, start: at + 28,
		};
		timestamp(frame, this.u32(at + 12), this.u32(at + 16), iface);
		return frame;
	}

	private simpleBlock(at: number, total: number): Frame {
		if (total < 16) throw new CaptureError(`pcapng simple packet block is ${total} bytes, shorter than 16`, this.base + at, this.count);
		const iface = this.interfaces[0];
		if (iface === undefined) throw new CaptureError('pcapng simple packet block without an interface description block', this.base + at, this.count);
		const len = this.u32(at + 8);
		let caplen = Math.min(len, total - 16);
		if (iface.snaplen > 0 && caplen > iface.snaplen) caplen = iface.snaplen;
		this.count++;
		return {
			n: this.count, offset: this.base + at, hasTs: false, sec: 0, nsec: 0, digits: iface.digits,
			linkType: iface.linkType, iface: 0, ifName: iface.name, caplen, len,
			buf: this.buf, start: at + 12,
		};
	}
}

/** Splits a 64-bit count of `units` (hi:lo) into seconds and nanoseconds, exactly. */
function timestamp(frame: Frame, hi: number, lo: number, iface: Interface): void {
	const units = iface.units;
	if (units <= 4294967296) {
		// Long division in base 2^16 keeps every intermediate below 2^53.
		let r = hi % units;
		const q1 = (hi - r) / units;
		let x = r * 65536 + (lo >>> 16);
		r = x % units;
		const q2 = (x - r) / units;
		x = r * 65536 + (lo & 0xffff);
		r = x % units;
		const q3 = (x - r) / units;
		frame.sec = (q1 * 65536 + q2) * 65536 + q3 + iface.tsOffset;
		frame.nsec = iface.toNanos !== 0 ? r * iface.toNanos : Number((BigInt(r) * 1000000000n) / BigInt(units));
		return;
	}
	const t = (BigInt(hi) << 32n) | BigInt(lo);
	const u = BigInt(units);
	frame.sec = Number(t / u) + iface.tsOffset;
	frame.nsec = Number(((t % u) * 1000000000n) / u);
}
