import { Worker } from 'node:worker_threads';
import type { SourceFlags } from '../commands/sources.js';

/**
 * `pcap FILE --trace --json` on a thread of its own (pcap-worker.ts), which writes the output to a
 * descriptor itself; this thread only shows its warnings and progress. The replay's memory is then the
 * worker's, whose heap can be sized (resourceLimits, below).
 */

export interface PcapThreadData {
	readonly file: string;
	readonly filter: string | undefined;
	readonly source: SourceFlags;
	readonly in: string | undefined;
	/** Standard input, read by this thread, when the source names "-". */
	readonly stdinText: string | undefined;
	readonly progress: boolean;
	readonly parallelFrom: number;
	/** Where the output goes (1: standard output). */
	readonly fd: number;
}

/** What the worker posts: a warning, a progress line, then done or failed. */
export type PcapThreadMessage =
	| { readonly warn: string }
	| { readonly progress: string }
	| { readonly done: true }
	| { readonly failed: string; readonly kind: 'input' | 'host' | 'loop' | 'closed' | 'internal'; readonly stack: string | undefined };

/** A failure of the worker, with what kind of error it was (the exit code follows from it). */
export class PcapThreadError extends Error {
	constructor(
		message: string,
		readonly kind: Extract<PcapThreadMessage, { failed: string }>['kind'],
		readonly workerStack: string | undefined,
	) {
		super(message);
	}
}

export interface PcapThreadArgs extends Omit<PcapThreadData, 'progress'> {
	readonly warn: (line: string) => void;
	readonly progress: ((text: string) => void) | undefined;
}

/**
 * The worker's heap: a young generation of 24 MB (the default 32 of this thread's made the peak 18 MB
 * higher at the same speed), and an old generation limited to just under 2 GB: from 2 GB on, V8 lets the
 * old generation grow to up to four times what a collection left alive before the next, below it to
 * about twice (the replay alone: 27 MB less at the peak, 6–8 % slower). A replay that needs more fails saying so.
 */
const HEAP = { maxYoungGenerationSizeMb: 24, maxOldGenerationSizeMb: 2047 };

/**
 * Runs `pcap FILE --trace --json` (a file, not standard input; lines by a second thread from `parallelFrom`
 * bytes) on the pcap thread; settles when its output is written, or with its failure (PcapThreadError).
 */
export function runPcapThread(args: PcapThreadArgs): Promise<void> {
	const { warn, progress, ...rest } = args;
	const data: PcapThreadData = { ...rest, progress: progress !== undefined };
	const worker = new Worker(new URL('./pcap-worker.js', import.meta.url), { workerData: data, resourceLimits: HEAP });
	return new Promise<void>((resolve, reject) => {
		let settled = false;
		const settle = (error?: Error): void => {
			if (settled) return;
			settled = true;
			if (error === undefined) resolve();
			else reject(error);
		};
		worker.on('message', (message: PcapThreadMessage) => {
			if ('warn' in message) warn(message.warn);
			else if ('progress' in message) progress?.(message.progress);
			else if ('done' in message) settle();
			else settle(new PcapThreadError(message.failed, message.kind, message.stack));
		});
		worker.on('error', (error: Error & { code?: string }) => {
			const memory = error.code === 'ERR_WORKER_OUT_OF_MEMORY';
			settle(memory ? new PcapThreadError(`the replay needs more than its ${HEAP.maxOldGenerationSizeMb} MB of memory`, 'input', error.stack) : error);
		});
		worker.on('exit', () => settle(new Error('the replay thread stopped before the end')));
	}).finally(() => worker.terminate());
}
