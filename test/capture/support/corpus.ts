import { readdirSync, readFileSync } from 'node:fs';
import { CORPUS, corpusPresent } from '../../support/paths.js';
import { CaptureError, type Frame } from '../../../source/capture/frame.js';
import { CaptureReader } from '../../../source/capture/reader.js';

export const PCAP_DIR = `${CORPUS}pcap/`;
export const pcapCorpusPresent = corpusPresent && readdirSafe(PCAP_DIR).length > 0;

function readdirSafe(dir: string): string[] {
	try {
		return readdirSync(dir);
	} catch {
		return [];
	}
}

/** The corpus's captures, by file name. */
export function corpusCaptures(): string[] {
	return readdirSafe(PCAP_DIR).filter((name) => /\.pcap(ng)?$/.test(name)).sort();
}

/** "capinfos packets=N" of each capture as SOURCES.md records it (a number, or "err" when capinfos failed). */
export function recordedCounts(): Map<string, number | 'err'> {
	const counts = new Map<string, number | 'err'>();
	for (const line of readFileSync(`${CORPUS}SOURCES.md`, 'utf8').split('\n')) {
		const m = /^\| pcap\/(\S+) \|.*capinfos packets=(\d+|err)/.exec(line);
		if (m) counts.set(m[1]!, m[2] === 'err' ? 'err' : Number(m[2]));
	}
	return counts;
}

/** Every frame of a byte string, fed in chunks of `chunk` bytes; the error, if the file is damaged. */
export function readAll(bytes: Uint8Array, chunk = 1 << 20): { frames: Frame[]; error: CaptureError | undefined } {
	const reader = new CaptureReader();
	const frames: Frame[] = [];
	try {
		for (let o = 0; o < bytes.length; o += chunk) {
			reader.feed(bytes.subarray(o, Math.min(bytes.length, o + chunk)));
			let f;
			while ((f = reader.next()) !== undefined) frames.push(f);
		}
		reader.end();
	} catch (error) {
		if (error instanceof CaptureError) return { frames, error };
		throw error;
	}
	return { frames, error: undefined };
}
