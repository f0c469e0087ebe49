import { createReadStream, statSync } from 'node:fs';
import { renderPage } from '../views/page-table.js';
import { safeText } from '../views/safe-text.js';
import { decodeFrame } from './decode/index.js';
import type { DecodedPacket } from './decode/packet.js';
import { CaptureError, CaptureInputError, type Frame } from './frame.js';

export { CaptureInputError };
import { matchFilter, parseFilter, type FilterNode } from './filter.js';
import { CaptureReader } from './reader.js';
import { JsonLineWriter } from './json-writer.js';
import { RingClosedError } from './line-ring.js';
import { ParallelLines } from './parallel-lines.js';
import { CommonFrame } from './common-frame.js';
import type { ReplayResult, ReplaySummary } from './replay.js';
import { writeReplayFields } from './replay-json.js';
import { renderReplaySummary, replayColumns, replaySummaryLine } from './replay-view.js';
import { destinationOf, protocolOf, sourceOf, summarize } from './summary.js';
import { isoTime } from './timestamp.js';

export interface PcapArgs {
	/** A file name, or "-" for standard input. */
	readonly file: string;
	readonly filter: string | undefined;
	readonly json: boolean;
	/** Standard input, for "-". */
	readonly stdin: AsyncIterable<Uint8Array> & { isTTY?: boolean };
	/**
	 * Where output goes, as it is produced (a damaged file's packets come out before the error). JSON lines
	 * come as bytes (pure ASCII, written by JsonLineWriter), tables as text. A chunk is never reused. A
	 * promise returned says the output is backed up: no more input is read until it settles.
	 */
	readonly write: (chunk: string | Uint8Array) => Promise<unknown> | void;
	/** A progress line sink (stderr when it is a terminal), or undefined for none. */
	readonly progress: ((text: string) => void) | undefined;
	/** `--trace`: each packet shown is replayed against the host (source/capture/replay.ts), and a summary follows. */
	readonly replay?: PcapReplay;
	/**
	 * With `--trace --json`, files of at least this many bytes have their lines written by a second thread
	 * (parallel-lines.ts); undefined: never. Not for standard input (the worker reads the capture from its start).
	 */
	readonly parallelFrom?: number;
	/** With lines written by a second thread: the descriptor it writes them to itself (the output of `write` comes after). */
	readonly linesFd?: number;
}

/** What `--trace` needs of the Replayer. */
export interface PcapReplay {
	replay(decoded: DecodedPacket): ReplayResult;
	/** replay() for a frame CommonFrame read, without decoding it. */
	replayCommon(frame: Frame, common: CommonFrame): ReplayResult;
	summary(): ReplaySummary;
}

/** Rows per table: each page is a table of its own (views/page-table.ts), so memory stays flat however long the file. */
const PAGE_ROWS = 1000;
/** Files smaller than this get no progress bar. */
const PROGRESS_MIN_BYTES = 16 << 20;

function portsOf(d: DecodedPacket): string {
	const t = d.transport;
	return t !== undefined && (t.kind === 'tcp' || t.kind === 'udp') ? `${t.sport} > ${t.dport}` : '';
}

function tableRow(d: DecodedPacket): string[] {
	const f = d.frame;
	return [
		String(f.n),
		isoTime(f, ' ')?.replace(/Z$/, '') ?? '-',
		sourceOf(d) ?? '',
		destinationOf(d) ?? '',
		protocolOf(d),
		portsOf(d),
		f.caplen === f.len ? String(f.len) : `${f.len} (${f.caplen} captured)`,
		safeText(summarize(d)),
	];
}

const HEAD = ['#', 'time', 'source', 'destination', 'protocol', 'ports', 'length', 'summary'];
const TRACED_HEAD = [...HEAD, 'ct', 'fate'];

function renderTable(rows: string[][], traced: boolean): string {
	return renderPage(traced ? TRACED_HEAD : HEAD, rows);
}

function progressBar(done: number, total: number, packets: number): string {
	const width = 30;
	const fraction = total > 0 ? Math.min(1, done / total) : 0;
	const filled = Math.round(fraction * width);
	return `\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${packets} packets`;
}

/**
 * `netsleuth pcap FILE [--filter EXPR] [--trace] [--json]`: reads the capture as it streams in, decodes every
 * packet, and writes a table (or one JSON object per line, ARCHITECTURE.md §3). A damaged file's
 * packets are written before the error, which names the byte offset. With --trace, the packets the
 * filter keeps are replayed against the host, as if they were all it had captured.
 */
export async function runPcap(args: PcapArgs): Promise<void> {
	const filter: FilterNode | undefined = args.filter === undefined ? undefined : parseFilter(args.filter);
	let input: AsyncIterable<Uint8Array>;
	let total = 0;
	if (args.file === '-') {
		if (args.stdin.isTTY === true) throw new CaptureInputError('"-" reads the capture from standard input, but standard input is a terminal');
		input = args.stdin;
	} else {
		try {
			const stat = statSync(args.file);
			if (stat.isDirectory()) throw new CaptureInputError(`${safeText(args.file)}: is a directory, not a capture file`);
			total = stat.size;
		} catch (error) {
			if (error instanceof CaptureInputError) throw error;
			throw new CaptureInputError(`${safeText(args.file)}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
		}
		// Half a megabyte a read: with a quarter, the replay waited for the disk 0.17 s a million packets; at a
		// megabyte the peak memory rose by 80 MB.
		input = createReadStream(args.file, { highWaterMark: 1 << 19 });
	}
	const name = args.file === '-' ? '<stdin>' : safeText(args.file);
	const reader = new CaptureReader();
	const json = args.json;
	const replay = args.replay;
	const showProgress = args.progress !== undefined && total >= PROGRESS_MIN_BYTES;
	let out = '';
	let backedUp: Promise<unknown> | undefined;
	const write = (chunk: string | Uint8Array): void => {
		const drained = args.write(chunk);
		if (drained) backedUp = drained;
	};
	const lines = new JsonLineWriter(write);
	const parallel = json && replay !== undefined && args.file !== '-' && args.parallelFrom !== undefined && total >= args.parallelFrom ? new ParallelLines(write, args.filter, { fd: args.linesFd }) : undefined;
	// The worker decodes every packet for its line: the replay reads the common ones without decoding them.
	const common = parallel !== undefined && filter === undefined ? new CommonFrame() : undefined;
	let rows: string[][] = [];
	let shown = 0;
	let shownAt = 0;
	const flushRows = (): void => {
		if (rows.length > 0) out += renderTable(rows, replay !== undefined);
		rows = [];
	};
	try {
		for await (const chunk of input) {
			parallel?.feed(chunk);
			reader.feed(chunk);
			let frame;
			while ((frame = reader.next()) !== undefined) {
				if (common !== undefined && common.read(frame)) {
					shown++;
					parallel!.put(replay!.replayCommon(frame, common));
					continue;
				}
				const d = decodeFrame(frame);
				if (filter !== undefined && !matchFilter(filter, d)) continue;
				shown++;
				const result = replay?.replay(d);
				if (parallel !== undefined) parallel.put(result!);
				else if (json) {
					lines.fields(d);
					if (result !== undefined) writeReplayFields(lines, result);
					lines.close();
				} else {
					rows.push(result ? [...tableRow(d), ...replayColumns(result)] : tableRow(d));
					if (rows.length >= PAGE_ROWS) {
						flushRows();
						write(out);
						out = '';
					}
				}
			}
			parallel?.publish();
			if (backedUp) {
				await backedUp;
				backedUp = undefined;
			}
			if (showProgress && Date.now() - shownAt >= 100) {
				shownAt = Date.now();
				args.progress!(progressBar(reader.consumed, total, reader.count));
			}
		}
		reader.end();
		// An empty listing says so, so that a filter that matched nothing is not mistaken for a hang.
		if (!json && shown === 0) out += reader.count === 0 ? 'no packets\n' : `no packets match the filter (of ${reader.count})\n`;
		if (replay !== undefined && json) {
			await parallel?.finish();
			lines.flush();
			write(replaySummaryLine(replay.summary()));
		} else if (replay !== undefined) {
			flushRows();
			out += renderReplaySummary(replay.summary());
		}
	} catch (error) {
		// The lines before a damage come out before the error, as with one thread; a line writer that stopped
		// says why (its output closed, or its failure) when finished.
		if (parallel !== undefined) await (error instanceof CaptureError || (error instanceof RingClosedError && error.stopped) ? parallel.finish() : parallel.stop());
		if (error instanceof CaptureError) throw new CaptureInputError(`${name}: ${error.message} (after ${error.packetsBefore} packet${error.packetsBefore === 1 ? "" : "s"})`);
		if (error instanceof CaptureInputError) throw error;
		const code = (error as NodeJS.ErrnoException).code;
		if (code !== undefined) throw new CaptureInputError(`${name}: cannot read it (${code})`);
		throw error;
	} finally {
		if (showProgress) args.progress!('\r\x1b[K');
		if (!json) flushRows();
		if (out !== '') write(out);
		lines.flush();
	}
}
