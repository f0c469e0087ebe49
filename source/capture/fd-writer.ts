import { writeSync } from 'node:fs';

/** The reader of the output went away (a closed pipe: `netsleuth … | head`): its choice, not an error. */
export class OutputClosedError extends Error {}

/** A blocked descriptor is tried again after this long (the waits of a thread with nothing else to do). */
const RETRY_MS = 2;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * Writes all of `bytes` to a descriptor from any thread, as the main thread's stdout would: waiting while
 * the descriptor is full (a pipe set non-blocking answers EAGAIN), so that a slow reader holds the writer
 * back rather than making it keep the output.
 */
export function writeAll(fd: number, bytes: Uint8Array): void {
	let at = 0;
	while (at < bytes.length) {
		try {
			at += writeSync(fd, bytes, at, bytes.length - at);
		} catch (error) {
			const code = (error as NodeJS.ErrnoException).code;
			if (code === 'EPIPE') throw new OutputClosedError('the output was closed');
			if (code !== 'EAGAIN') throw error;
			Atomics.wait(sleeper, 0, 0, RETRY_MS);
		}
	}
}
