import { parentPort, workerData } from 'node:worker_threads';
import { createReplayer } from '../commands/pcap-trace.js';
import { HostUnreadableError } from '../commands/sources.js';
import { InputError } from '../host/model.js';
import { ChainLoopError } from '../netfilter/walk.js';
import { runPcap } from './command.js';
import { OutputClosedError, writeAll } from './fd-writer.js';
import { CaptureInputError } from './frame.js';
import type { PcapThreadData, PcapThreadMessage } from './pcap-thread.js';

/**
 * The thread that runs `pcap FILE --trace --json` for pcap-thread.ts: reads the host and the capture,
 * replays it (its line writer a thread of its own, as on the main thread), writes the output to the
 * descriptor it was given, and posts warnings, progress and the outcome to the main thread.
 */

const port = parentPort!;
const data = workerData as PcapThreadData;

function post(message: PcapThreadMessage): void {
	port.postMessage(message);
}

/** The output goes straight to its descriptor, from this thread and the line writer's: none passes through the main thread. */
function write(chunk: string | Uint8Array): undefined {
	writeAll(data.fd, typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
	return undefined;
}

/** An error as the main thread rethrows it: the kind decides the exit code. */
function kindOf(error: unknown): Extract<PcapThreadMessage, { failed: string }>['kind'] {
	if (error instanceof CaptureInputError || error instanceof InputError) return 'input';
	if (error instanceof HostUnreadableError) return 'host';
	if (error instanceof ChainLoopError) return 'loop';
	if (error instanceof OutputClosedError) return 'closed';
	return 'internal';
}

try {
	const stdinText = data.stdinText;
	const replay = await createReplayer({
		source: data.source, in: data.in, hits: false,
		readStdin: async () => stdinText ?? '',
		warn: (line) => post({ warn: line }),
	});
	await runPcap({
		file: data.file, filter: data.filter, json: true, replay, write,
		// Never read: a capture on standard input is not replayed here (pcap-thread.ts).
		stdin: process.stdin,
		progress: data.progress ? (text) => post({ progress: text }) : undefined,
		parallelFrom: data.parallelFrom,
		linesFd: data.fd,
	});
	post({ done: true });
} catch (error) {
	post({ failed: error instanceof Error ? error.message : String(error), kind: kindOf(error), stack: error instanceof Error ? error.stack : undefined });
}
