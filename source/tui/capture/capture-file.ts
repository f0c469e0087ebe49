import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { decodeFrame } from '../../capture/decode/index.js';
import type { DecodedPacket } from '../../capture/decode/packet.js';
import { matchFilter, parseFilter } from '../../capture/filter.js';
import { CaptureError, CaptureInputError, type Frame } from '../../capture/frame.js';
import { CaptureReader } from '../../capture/reader.js';
import type { ReplayResult } from '../../capture/replay.js';
import { fateText } from '../../capture/replay-view.js';
import { safeText } from '../../views/safe-text.js';

/**
 * A capture file as the Capture view holds it: a compact index (file offset, timestamp, lengths and
 * interface of each packet: 30 bytes a packet, so a million packets take 30 MB), built in the background
 * a slice at a time so that the list is usable while it loads. Nothing decoded is kept: a row decodes
 * its packet again from the file when it is drawn. Filters are passes of their own over the file.
 */

const CHUNK = 1 << 18;
/** The longest the loader runs before it lets keys and frames through. */
const SLICE_MS = 8;
/**
 * Listeners hear of progress at most this often: each hearing is a redraw of the whole screen (tens of
 * milliseconds on a busy machine), which a key pressed meanwhile waits for.
 */
const NOTIFY_MS = 250;

interface Link {
	readonly linkType: number;
	readonly ifName: string | undefined;
	readonly iface: number;
	readonly digits: number;
	readonly hasTs: boolean;
}

/** What a replay said about a packet: its fate, and the fate with what decided it (fateText). */
export interface ReplayAnswer {
	readonly fate: ReplayResult['fate'];
	readonly text: string;
	readonly ct: ReplayResult['ct'];
	readonly flow: number | null;
}

export interface PassProgress {
	/** Bytes read so far, of the file's size. */
	readonly bytes: number;
	readonly done: boolean;
	readonly error?: string;
}

type AnswerTree = Map<string | number, AnswerTree | number>;
/** Where a tree node keeps its answer's id (no rule number is negative but "policy", -1). */
const ANSWER = -2;

/** The subtree under key (made when missing). */
function branch(tree: AnswerTree, key: string | number): AnswerTree {
	let next = tree.get(key) as AnswerTree | undefined;
	if (next === undefined) tree.set(key, (next = new Map()));
	return next;
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
/** The longest a pass waits for a key's frame to be drawn (hold) before it goes on regardless. */
const HOLD_MS = 50;

/** Lets a key's frame be drawn before the background passes take the event loop again. */
class Hold {
	private until = 0;
	/** The passes waiting (the loader, a filter and a replay may run at once). */
	private readonly waiting = new Set<() => void>();

	/** A key was pressed: passes stop at their next slice until released (its frame drawn) or HOLD_MS. */
	hold(): void {
		this.until = performance.now() + HOLD_MS;
	}

	release(): void {
		this.until = 0;
		for (const wake of this.waiting) wake();
	}

	get held(): boolean {
		return performance.now() < this.until;
	}

	/** Waits until released or the hold has run out. */
	async wait(): Promise<void> {
		while (this.held) {
			await new Promise<void>((resolve) => {
				const wake = () => {
					clearTimeout(timer);
					this.waiting.delete(wake);
					resolve();
				};
				const timer = setTimeout(wake, Math.max(1, this.until - performance.now()));
				this.waiting.add(wake);
			});
		}
	}
}

function grow<T extends Float64Array | Uint32Array | Uint16Array | Uint8Array>(array: T, need: number, make: (n: number) => T): T {
	if (need <= array.length) return array;
	const bigger = make(Math.max(need, array.length * 2));
	bigger.set(array);
	return bigger;
}

/**
 * Reads the file from the start, a chunk at a time, and hands every frame to `visit`, yielding to the
 * event loop every few milliseconds and while `hold` is held (a key waits for its frame); stops early
 * when `cancelled` says so. Errors are the capture's own (CaptureError names the byte offset).
 */
async function eachFrame(path: string, visit: (frame: Frame, reader: CaptureReader) => void, cancelled: () => boolean, progress: (bytes: number) => void, hold?: Hold): Promise<void> {
	const handle = await open(path, 'r');
	const reader = new CaptureReader();
	let slice = performance.now();
	try {
		for (;;) {
			// A fresh buffer each time: frames already handed out keep pointing into the old one.
			const buf = new Uint8Array(CHUNK);
			const { bytesRead } = await handle.read(buf, 0, CHUNK, null);
			if (bytesRead === 0) break;
			reader.feed(buf.subarray(0, bytesRead));
			let frame;
			while ((frame = reader.next()) !== undefined) {
				visit(frame, reader);
				if (performance.now() - slice > SLICE_MS || hold?.held === true) {
					progress(reader.consumed);
					await turn();
					await hold?.wait();
					slice = performance.now();
					if (cancelled()) return;
				}
			}
			progress(reader.consumed);
			if (cancelled()) return;
		}
		reader.end();
	} finally {
		await handle.close();
	}
}

function describeError(error: unknown): string {
	if (error instanceof CaptureError) return `${error.message} (after ${error.packetsBefore} packet${error.packetsBefore === 1 ? '' : 's'})`;
	if (error instanceof Error) return (error as NodeJS.ErrnoException).code ?? error.message;
	return String(error);
}

export class CaptureFile {
	/** The file name, terminal-safe. */
	readonly name: string;
	readonly size: number;
	/** Packets indexed so far. */
	count = 0;
	load: PassProgress = { bytes: 0, done: false };
	/** Moves when the listeners are told of a change (React reads it through useSyncExternalStore). */
	version = 0;

	private dataAt = new Float64Array(1024);
	private sec = new Float64Array(1024);
	private nsec = new Uint32Array(1024);
	private caplen = new Uint32Array(1024);
	private len = new Uint32Array(1024);
	private link = new Uint16Array(1024);
	private readonly links: Link[] = [];
	private readonly linkIds = new Map<string, number>();
	private fd: number | undefined;

	/** The filter in force (null: none), the indexes of the packets it matched so far, and its pass. */
	filterText: string | null = null;
	filterPass: PassProgress = { bytes: 0, done: true };
	private matches = new Uint32Array(1024);
	private matchCount = 0;
	private filterRun = 0;

	/**
	 * The replay (null: none yet): packets replayed so far, packets per fate, and per packet the answer
	 * (an index into the distinct answers, 1-based; 0 not replayed), its conntrack state and flow.
	 */
	replayPass: PassProgress | null = null;
	replayed = 0;
	readonly byFate = new Map<string, number>();
	private answerIds = new Uint32Array(0);
	private flows = new Uint32Array(0);
	private readonly answers: { fate: ReplayResult['fate']; text: string; ct: ReplayResult['ct'] }[] = [];
	/**
	 * Answer ids by what fateText reads (fate, then conntrack state, table, chain, rule, target, and the
	 * verdict's text or a skipped frame's why): a replay makes a verdict object per packet, and its answer
	 * is found again without a string made per packet.
	 */
	private readonly answerTree: AnswerTree = new Map();
	private replayRun = 0;

	/** Held by a key until its frame is drawn: the loader, filters and replays wait meanwhile. */
	readonly hold = new Hold();
	private readonly listeners = new Set<() => void>();
	private timer: NodeJS.Timeout | undefined;

	private constructor(
		readonly path: string,
		size: number,
	) {
		this.name = safeText(path);
		this.size = size;
	}

	/**
	 * Opens a capture for the view: a file that cannot be read, or that is not a capture at all, fails here
	 * (in the shell, before the screen is taken) as a CaptureInputError.
	 */
	static open(path: string): CaptureFile {
		const name = safeText(path);
		if (path === '-') throw new CaptureInputError('--pcap -: the Capture view reads a file (standard input is the terminal here); netsleuth pcap - lists a piped capture');
		let size: number;
		let fd: number;
		try {
			const stat = statSync(path);
			if (stat.isDirectory()) throw new CaptureInputError(`${name}: is a directory, not a capture file`);
			size = stat.size;
			fd = openSync(path, 'r');
		} catch (error) {
			if (error instanceof CaptureInputError) throw error;
			throw new CaptureInputError(`${name}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
		}
		const head = new Uint8Array(Math.min(size, 1 << 16));
		readSync(fd, head, 0, head.length, 0);
		const reader = new CaptureReader();
		reader.feed(head);
		try {
			// The file header and the first record: a file that is no capture at all fails here.
			if (size === 0) reader.end();
			reader.next();
		} catch (error) {
			closeSync(fd);
			throw new CaptureInputError(`${name}: ${describeError(error)}`);
		}
		const file = new CaptureFile(path, size);
		file.fd = fd;
		return file;
	}

	/** Builds the index in the background; the returned promise settles when the whole file is read. */
	async start(): Promise<void> {
		try {
			await eachFrame(this.path, (frame, reader) => this.add(frame, reader), () => this.fd === undefined, (bytes) => {
				this.load = { bytes, done: false };
				this.changed();
			}, this.hold);
			this.load = { bytes: this.size, done: true };
		} catch (error) {
			this.load = { bytes: this.load.bytes, done: true, error: describeError(error) };
		}
		this.changed(true);
	}

	private add(frame: Frame, reader: CaptureReader): void {
		const i = this.count;
		if (i >= this.dataAt.length) {
			const n = i + 1;
			this.dataAt = grow(this.dataAt, n, (m) => new Float64Array(m));
			this.sec = grow(this.sec, n, (m) => new Float64Array(m));
			this.nsec = grow(this.nsec, n, (m) => new Uint32Array(m));
			this.caplen = grow(this.caplen, n, (m) => new Uint32Array(m));
			this.len = grow(this.len, n, (m) => new Uint32Array(m));
			this.link = grow(this.link, n, (m) => new Uint16Array(m));
		}
		// Where the bytes start after the record's header: pcap 16; pcapng enhanced (and obsolete) packet
		// blocks 28, simple packet blocks (no timestamp) 12.
		this.dataAt[i] = frame.offset + (reader.format === 'pcap' ? 16 : frame.hasTs ? 28 : 12);
		this.sec[i] = frame.sec;
		this.nsec[i] = frame.nsec;
		this.caplen[i] = frame.caplen;
		this.len[i] = frame.len;
		this.link[i] = this.linkId(frame);
		this.count = i + 1;
	}

	private linkId(frame: Frame): number {
		const key = `${frame.linkType}/${frame.iface}/${frame.digits}/${frame.hasTs}/${frame.ifName ?? ''}`;
		let id = this.linkIds.get(key);
		if (id === undefined) {
			id = this.links.length;
			this.links.push({ linkType: frame.linkType, ifName: frame.ifName, iface: frame.iface, digits: frame.digits, hasTs: frame.hasTs });
			this.linkIds.set(key, id);
		}
		return id;
	}

	/** Packet i (0-based) as a frame, its bytes read from the file again. */
	frame(i: number): Frame {
		const caplen = this.caplen[i]!;
		const buf = new Uint8Array(caplen);
		if (this.fd !== undefined && caplen > 0) readSync(this.fd, buf, 0, caplen, this.dataAt[i]!);
		const link = this.links[this.link[i]!]!;
		return {
			n: i + 1, offset: this.dataAt[i]!, hasTs: link.hasTs, sec: this.sec[i]!, nsec: this.nsec[i]!, digits: link.digits,
			linkType: link.linkType, iface: link.iface, ifName: link.ifName, caplen, len: this.len[i]!, buf, start: 0,
		};
	}

	decoded(i: number): DecodedPacket {
		return decodeFrame(this.frame(i));
	}

	/** Seconds from the first packet to packet i. */
	relativeTime(i: number): number {
		return this.count === 0 ? 0 : this.sec[i]! - this.sec[0]! + (this.nsec[i]! - this.nsec[0]!) / 1e9;
	}

	/** The packets the list shows: all, or those the filter matched among the packets indexed so far. */
	get shown(): number {
		if (this.filterText === null) return this.count;
		let lo = 0;
		let hi = this.matchCount;
		while (lo < hi) {
			const mid = (lo + hi) >>> 1;
			if (this.matches[mid]! < this.count) lo = mid + 1;
			else hi = mid;
		}
		return lo;
	}

	/** The packet (0-based index in the file) at a row of the list. */
	packetAt(row: number): number {
		return this.filterText === null ? row : this.matches[row]!;
	}

	/** Applies a filter (tcpdump-like, as `pcap --filter`), or none; the parse error is thrown as FilterError. */
	setFilter(text: string | null): void {
		const node = text === null ? undefined : parseFilter(text);
		const run = ++this.filterRun;
		this.filterText = text;
		this.matchCount = 0;
		this.filterPass = { bytes: 0, done: node === undefined };
		this.changed(true);
		if (node === undefined) return;
		this.pass((frame) => {
			if (!matchFilter(node, decodeFrame(frame))) return;
			this.matches = grow(this.matches, this.matchCount + 1, (m) => new Uint32Array(m));
			this.matches[this.matchCount++] = frame.n - 1;
		}, () => run === this.filterRun, (progress) => (this.filterPass = progress));
	}

	/** A pass over the file (a filter, a replay) while it is `current`: its progress reported as it goes and when it ends or fails. */
	private pass(visit: (frame: Frame) => void, current: () => boolean, report: (progress: PassProgress) => void): void {
		const finish = (error?: string) => {
			if (!current()) return;
			report({ bytes: this.size, done: true, ...(error ? { error } : {}) });
			this.changed(true);
		};
		void eachFrame(this.path, visit, () => !current() || this.fd === undefined, (bytes) => {
			report({ bytes, done: false });
			this.changed();
		}, this.hold).then(() => finish(), (error: unknown) => finish(describeError(error)));
	}

	/**
	 * Replays every packet, in order, through a Replayer (its simulated conntrack needs them all, in
	 * order), a slice at a time; a new replay starts again from the first packet.
	 */
	replay(replayer: { replay(decoded: DecodedPacket): ReplayResult }): void {
		const run = ++this.replayRun;
		this.replayed = 0;
		this.byFate.clear();
		this.answerIds = new Uint32Array(Math.max(1024, this.count));
		this.flows = new Uint32Array(this.answerIds.length);
		this.replayPass = { bytes: 0, done: false };
		this.changed(true);
		this.pass((frame) => {
			const r = replayer.replay(decodeFrame(frame));
			const i = frame.n - 1;
			if (i >= this.answerIds.length) {
				this.answerIds = grow(this.answerIds, i + 1, (m) => new Uint32Array(m));
				this.flows = grow(this.flows, i + 1, (m) => new Uint32Array(m));
			}
			this.answerIds[i] = this.answerId(r);
			this.flows[i] = r.flow ?? 0;
			this.byFate.set(r.fate, (this.byFate.get(r.fate) ?? 0) + 1);
			this.replayed = i + 1;
		}, () => run === this.replayRun, (progress) => (this.replayPass = progress));
	}

	private answerId(r: ReplayResult): number {
		const v = r.verdict;
		let node = branch(branch(this.answerTree, r.fate), r.ct ?? '');
		if (r.fate === 'skipped') node = branch(node, r.why ?? '');
		else if (v !== null) node = branch(branch(branch(branch(node, v.table ?? v.text), v.chain ?? ''), v.rule ?? -1), v.target ?? '');
		let id = node.get(ANSWER) as number | undefined;
		if (id === undefined) {
			this.answers.push({ fate: r.fate, text: safeText(fateText(r)), ct: r.ct });
			id = this.answers.length;
			node.set(ANSWER, id);
		}
		return id;
	}

	/** The replay's answer for packet i (0-based), once the replay has reached it. */
	answer(i: number): ReplayAnswer | undefined {
		const id = i < this.replayed ? this.answerIds[i]! : 0;
		if (id === 0) return undefined;
		const a = this.answers[id - 1]!;
		return { ...a, flow: this.flows[i]! || null };
	}

	subscribe = (listener: () => void): (() => void) => {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	};

	getVersion = (): number => this.version;

	/** Tells the listeners (and moves the version they read), at once or at most every NOTIFY_MS. */
	protected changed(now = false): void {
		const tell = () => {
			this.timer = undefined;
			this.version++;
			for (const listener of this.listeners) listener();
		};
		if (now) {
			clearTimeout(this.timer);
			tell();
			return;
		}
		this.timer ??= setTimeout(tell, NOTIFY_MS);
	}

	/** Stops every pass and closes the file. */
	close(): void {
		clearTimeout(this.timer);
		this.timer = undefined;
		if (this.fd !== undefined) closeSync(this.fd);
		this.fd = undefined;
	}
}
