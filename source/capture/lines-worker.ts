import { parentPort, workerData } from 'node:worker_threads';
import { decodeFrame } from './decode/index.js';
import { CaptureInputError } from './frame.js';
import { matchFilter, parseFilter } from './filter.js';
import { JsonLineWriter } from './json-writer.js';
import { RingReader } from './line-ring.js';
import { CaptureReader } from './reader.js';
import { OutputClosedError, writeAll } from './fd-writer.js';

/**
 * The thread that writes `pcap --trace --json`'s lines (parallel-lines.ts): it gets the capture's bytes
 * as the main thread reads them, decodes and filters each packet as the main thread does, writes the
 * packet's fields, and takes the replay's fields from the ring. Full output buffers go back to the main
 * thread, which writes them. A damaged capture stops it where it stops the main thread.
 */

export interface LinesWorkerData {
	readonly ring: SharedArrayBuffer;
	readonly filter: string | undefined;
	/** A descriptor the worker writes the output to itself; undefined: it posts the output. */
	readonly fd: number | undefined;
}

/**
 * What the worker posts: output bytes (unless it writes them), then `done` (after the last bytes), `closed`
 * (the output's reader went away) or `failed` (a bug: the message).
 */
export type LinesWorkerMessage = Uint8Array | { readonly done: true } | { readonly closed: true } | { readonly failed: string };

const port = parentPort!;
const { ring, filter, fd } = workerData as LinesWorkerData;
const filterNode = filter === undefined ? undefined : parseFilter(filter);
const reader = new CaptureReader();
const records = new RingReader(ring);
const lines = new JsonLineWriter(fd === undefined ? (chunk) => port.postMessage(chunk, [chunk.buffer as ArrayBuffer]) : (chunk) => writeAll(fd, chunk));
let stopped = false;

function stop(message: LinesWorkerMessage): void {
	stopped = true;
	records.close();
	try {
		lines.flush();
	} catch (error) {
		if (!(error instanceof OutputClosedError)) throw error;
		message = { closed: true };
	}
	port.postMessage(message);
}

port.on('message', (message: Uint8Array | 'end') => {
	if (stopped) return;
	try {
		if (message === 'end') {
			reader.end();
			stop({ done: true });
			return;
		}
		reader.feed(message);
		let frame;
		while ((frame = reader.next()) !== undefined) {
			const d = decodeFrame(frame);
			if (filterNode !== undefined && !matchFilter(filterNode, d)) continue;
			lines.fields(d);
			records.writeNext(lines);
			lines.close();
		}
	} catch (error) {
		// The capture's own damage: the main thread meets it at the same packet and reports it.
		if (error instanceof CaptureInputError) stop({ done: true });
		else if (error instanceof OutputClosedError) stop({ closed: true });
		else stop({ failed: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error) });
	}
});
