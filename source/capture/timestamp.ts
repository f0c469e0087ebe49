import type { Frame } from './frame.js';

let cachedSec = Number.NaN;
let cachedPrefix = '';
const POW10 = [1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000];

/** "2024-05-01T12:00:00" for a second since the epoch (the date part is cached: it changes once a second). */
export function isoSecond(sec: number): string {
	if (sec !== cachedSec) {
		cachedSec = sec;
		const ms = sec * 1000;
		cachedPrefix = Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString().slice(0, -5) : `@${sec}`;
	}
	return cachedPrefix;
}

/**
 * ISO-8601 UTC time of a frame with as many fraction digits as the file's resolution (6 for µs, 9 for
 * ns); null when the record has no timestamp. A fraction field out of range carries into the seconds.
 */
export function isoTime(frame: Frame, separator = 'T'): string | null {
	if (!frame.hasTs) return null;
	let sec = frame.sec;
	let nsec = frame.nsec;
	if (nsec >= 1e9) {
		sec += Math.floor(nsec / 1e9);
		nsec %= 1e9;
	}
	const digits = frame.digits > 9 ? 9 : frame.digits;
	let text = isoSecond(sec);
	if (separator !== 'T') text = text.replace('T', separator);
	if (digits === 0) return `${text}Z`;
	const frac = Math.floor(nsec / POW10[9 - digits]!);
	return `${text}.${String(frac).padStart(digits, '0')}Z`;
}

/** Seconds since the epoch with nine decimals, as tshark's frame.time_epoch prints them (fields as recorded). */
export function epochText(frame: Frame): string {
	return `${frame.sec}.${String(frame.nsec).padStart(9, '0')}`;
}
