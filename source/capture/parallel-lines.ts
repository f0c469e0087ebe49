import { Worker } from 'node:worker_threads';
import type { LinesWorkerData, LinesWorkerMessage } from './lines-worker.js';
import { newRing, RingWriter } from './line-ring.js';
import { OutputClosedError } from './fd-writer.js';
import type { ReplayResult } from './replay.js';

/**
 * `pcap --trace --json` on two cores: this thread replays (the connection table makes that one sequence),
 * a worker thread writes the lines (decoding each packet again, from the bytes this thread hands it: a file
 * still being written would not read the same twice), so that writing costs the replay no time. The lines are the same bytes as one thread writes
 * (test/capture/parallel-lines.test.ts).
 */
export class ParallelLines {
	private readonly worker: Worker;
	private readonly records: RingWriter;
	private readonly finished: Promise<void>;

	/**
	 * `write` gets the output as the worker makes it, in order, unless the worker writes it to `fd` itself;
	 * `filter` is the --filter text; `ringBytes` for tests.
	 */
	constructor(write: (chunk: Uint8Array) => void, filter: string | undefined, options: { readonly fd?: number; readonly ringBytes?: number } = {}) {
		const ring = newRing(options.ringBytes);
		this.records = new RingWriter(ring);
		const workerData: LinesWorkerData = { ring, filter, fd: options.fd };
		// The writer makes little garbage: a small young generation is enough (about 20 MB less resident).
		this.worker = new Worker(new URL('./lines-worker.js', import.meta.url), { workerData, resourceLimits: { maxYoungGenerationSizeMb: 6 } });
		this.finished = new Promise((resolve, reject) => {
			this.worker.on('message', (message: LinesWorkerMessage) => {
				if (message instanceof Uint8Array) write(message);
				else if ('done' in message) resolve();
				else if ('closed' in message) reject(new OutputClosedError('the output was closed'));
				else reject(new Error(`the line writer failed: ${message.failed}`));
			});
			this.worker.on('error', reject);
			this.worker.on('exit', () => reject(new Error('the line writer stopped before the end')));
		});
		// Read by finish(); until then a failure must not count as unhandled.
		this.finished.catch(() => undefined);
	}

	/** The capture's next bytes, as read (copied: the caller's reader keeps its own). */
	feed(chunk: Uint8Array): void {
		this.worker.postMessage(chunk);
	}

	/** The replay's result for the next packet shown. */
	put(result: ReplayResult): void {
		this.records.put(result);
	}

	/** Makes the results put so far visible to the worker (at the end of each chunk). */
	publish(): void {
		this.records.publish();
	}

	/** Stops the worker (the replay failed: no more records come). */
	async stop(): Promise<void> {
		await this.worker.terminate();
	}

	/** Waits until every line is written (up to a damage in the capture, where the worker stops as the reader here does). */
	async finish(): Promise<void> {
		this.records.publish(true);
		this.worker.postMessage('end');
		try {
			await this.finished;
		} finally {
			await this.worker.terminate();
		}
	}
}
