import { JsonLineWriter } from './json-writer.js';
import { replayHead, ctCode, writeReplayCore, writeReplayFields } from './replay-json.js';
import type { ReplayResult } from './replay.js';

/**
 * Each packet's replay fields, from the thread that replays (the main thread) to the thread that writes
 * the lines (lines-worker.ts): a single-producer, single-consumer byte ring in shared memory. A record is
 * a packet's head number, conntrack state and flow (10 bytes); a head's bytes go once, before the first
 * record that uses it; a line with hits or a why goes whole.
 */

const WRITTEN = 0;
const READ = 1;
/** Set by the worker when it stops early (an error): the replay must not wait for room that never comes. */
const CLOSED = 2;
/** Whether the reader waits for WRITTEN to move, or the writer for READ: only then is a change notified (a system call). */
const WAITING_FOR = [3, 4];
const CONTROL_BYTES = 32;
/** Small: while the output waits for its reader, the worker can run ahead of it by at most this many records' lines. */
const RING_BYTES = 1 << 18;
const PACKET = 1;
const HEAD = 2;
const WHOLE = 3;
/** Records between publications of the write position (and bytes between those of the read position). */
const PUBLISH_EVERY = 1024;
const RELEASE_EVERY = 16 << 10;
/** How long either side waits for the other in one go, and in all (the other thread is gone: a bug, not a hang). */
const WAIT_MS = 200;
const GIVE_UP_MS = 60_000;

/** A ring of `bytes` (a power of two; tests make small ones, to wait often on both sides). */
export function newRing(bytes = RING_BYTES): SharedArrayBuffer {
	return new SharedArrayBuffer(CONTROL_BYTES + bytes);
}

/** What both sides see of the ring: the control words, the data bytes and their mask. */
abstract class RingSide {
	protected readonly control: Int32Array;
	protected readonly data: Uint8Array;
	protected readonly mask: number;

	constructor(ring: SharedArrayBuffer) {
		this.control = new Int32Array(ring, 0, CONTROL_BYTES >> 2);
		this.data = new Uint8Array(ring, CONTROL_BYTES);
		this.mask = this.data.length - 1;
	}
}

/** The ring's reader stopped (`stopped`: it said so; else it made no progress for GIVE_UP_MS). */
export class RingClosedError extends Error {
	constructor(
		message: string,
		readonly stopped: boolean,
	) {
		super(message);
	}
}

/** Waits until control[at] is no longer `value` (the other side moved it). */
function wait(control: Int32Array, at: number, value: number, what: string): void {
	const started = Date.now();
	const flag = WAITING_FOR[at]!;
	Atomics.store(control, flag, 1);
	try {
		// Atomics.wait compares before sleeping: a move made after the flag was set is never missed.
		while (Atomics.load(control, at) === value) {
			if (Atomics.load(control, CLOSED) !== 0) throw new RingClosedError(`the line writer stopped while ${what}`, true);
			if (Date.now() - started > GIVE_UP_MS) throw new RingClosedError(`no progress for ${GIVE_UP_MS / 1000} s while ${what}`, false);
			Atomics.wait(control, at, value, WAIT_MS);
		}
	} finally {
		Atomics.store(control, flag, 0);
	}
}

/** Moves control[at] to `value`, waking the other side if it waits for that (and `wake`). */
function move(control: Int32Array, at: number, value: number, wake = true): void {
	Atomics.store(control, at, value);
	if (wake && Atomics.load(control, WAITING_FOR[at]!) !== 0) Atomics.notify(control, at);
}

/** The replaying side. */
export class RingWriter extends RingSide {
	/** Bytes put between wakes of a sleeping writer. */
	private readonly wakeAfter = this.data.length >> 2;
	private w = 0;
	private unpublished = 0;
	/** The write position when the writer was last woken. */
	private woken = 0;
	private readonly defined = new Set<number>();
	/** A whole line's replay fields, as wholeWriter hands them over. */
	private whole: Uint8Array = new Uint8Array(0);
	private readonly wholeWriter = new JsonLineWriter((chunk) => {
		this.whole = chunk;
	});

	/** A packet's replay result. */
	put(r: ReplayResult): void {
		if (r.hits !== undefined || r.why !== undefined) {
			writeReplayFields(this.wholeWriter, r);
			this.wholeWriter.flush();
			const bytes = this.whole;
			this.room(5 + bytes.length);
			this.byte(WHOLE);
			this.u32(bytes.length);
			for (let i = 0; i < bytes.length; i++) this.byte(bytes[i]!);
		} else {
			const head = replayHead(r.fate, r.verdict);
			if (!this.defined.has(head.id)) {
				this.defined.add(head.id);
				this.room(9 + head.bytes.length);
				this.byte(HEAD);
				this.u32(head.id);
				this.u32(head.bytes.length);
				for (let i = 0; i < head.bytes.length; i++) this.byte(head.bytes[i]!);
			}
			this.room(10);
			this.byte(PACKET);
			this.u32(head.id);
			this.byte(ctCode(r.ct));
			this.u32(r.flow ?? 0xffffffff);
		}
		if (++this.unpublished >= PUBLISH_EVERY) this.publish();
	}

	/**
	 * Makes what was put visible to the writer. A writer asleep is woken only for a batch (`WAKE_AFTER`
	 * bytes) or when `now`: each wake is a system call on this thread, and the writer, faster than the
	 * replay, would otherwise sleep and wake for every publication. It also looks for itself every WAIT_MS.
	 */
	publish(now = false): void {
		this.unpublished = 0;
		const wake = now || ((this.w - this.woken) | 0) >= this.wakeAfter;
		if (wake) this.woken = this.w;
		move(this.control, WRITTEN, this.w, wake);
	}

	private room(n: number): void {
		for (;;) {
			const read = Atomics.load(this.control, READ);
			if (this.data.length - ((this.w - read) | 0) >= n) return;
			this.publish(true);
			wait(this.control, READ, read, 'the replay waited for room');
		}
	}

	private byte(b: number): void {
		this.data[this.w & this.mask] = b;
		this.w = (this.w + 1) | 0;
	}

	private u32(n: number): void {
		this.byte(n & 0xff);
		this.byte((n >>> 8) & 0xff);
		this.byte((n >>> 16) & 0xff);
		this.byte(n >>> 24);
	}
}

/** The line-writing side. */
export class RingReader extends RingSide {
	private readonly releaseEvery = Math.min(RELEASE_EVERY, this.data.length >> 2);
	private r = 0;
	private unreleased = 0;
	/** What the writer has published, as last seen. */
	private written = 0;
	private readonly heads: Uint8Array[] = [];

	/** Writes the next packet's replay fields into its line (waiting for the replay when it is behind). */
	writeNext(out: JsonLineWriter): void {
		for (;;) {
			const kind = this.byte();
			if (kind === PACKET) {
				const head = this.heads[this.u32()]!;
				const ct = this.byte();
				const flow = this.u32();
				writeReplayCore(out, head, ct, flow === 0xffffffff ? -1 : flow);
				break;
			}
			const id = kind === HEAD ? this.u32() : 0;
			const bytes = new Uint8Array(this.u32());
			for (let i = 0; i < bytes.length; i++) bytes[i] = this.byte();
			if (kind === HEAD) this.heads[id] = bytes;
			else {
				out.bytes(bytes);
				break;
			}
		}
		if (this.unreleased >= this.releaseEvery) this.release();
	}

	/** Says the writer stopped: a replay waiting for room gives up. */
	close(): void {
		Atomics.store(this.control, CLOSED, 1);
		Atomics.notify(this.control, READ);
	}

	private release(): void {
		this.unreleased = 0;
		move(this.control, READ, this.r);
	}

	private byte(): number {
		if (this.r === this.written) {
			this.written = Atomics.load(this.control, WRITTEN);
			if (this.r === this.written) {
				this.release();
				wait(this.control, WRITTEN, this.r, 'the line writer waited for the replay');
				this.written = Atomics.load(this.control, WRITTEN);
			}
		}
		const b = this.data[this.r & this.mask]!;
		this.r = (this.r + 1) | 0;
		this.unreleased++;
		return b;
	}

	private u32(): number {
		return (this.byte() | (this.byte() << 8) | (this.byte() << 16) | (this.byte() << 24)) >>> 0;
	}
}
