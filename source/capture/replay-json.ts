import type { JsonLineWriter } from './json-writer.js';
import type { ReplayResult } from './replay.js';
import { asciiJson } from './summary.js';

/**
 * The fields `pcap --trace --json` adds to a packet's line, as bytes made once: a replay hands out the
 * same verdict object (and hits) for every packet a remembered decision fits, so a line's replay part is
 * a few copies and one number.
 */

const ascii = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'latin1'));

/** `,"fate":"…","verdict":…,"ct":` for one fate and verdict object, numbered in order of making (from 1). */
export interface ReplayHead {
	readonly id: number;
	readonly bytes: Uint8Array;
}

const headMade = new Map<string, WeakMap<object, ReplayHead>>();
const NO_VERDICT = {};
let heads = 0;

export function replayHead(fate: string, verdict: object | null): ReplayHead {
	let byVerdict = headMade.get(fate);
	if (byVerdict === undefined) headMade.set(fate, (byVerdict = new WeakMap()));
	const key = verdict ?? NO_VERDICT;
	let head = byVerdict.get(key);
	if (head === undefined) {
		head = { id: ++heads, bytes: ascii(`,"fate":"${fate}","verdict":${verdict === null ? 'null' : asciiJson(verdict)},"ct":`) };
		byVerdict.set(key, head);
	}
	return head;
}

/** The conntrack states a line may carry, by number (0: null), each with the flow field's name after it. */
const CT_STATES = ['NEW', 'ESTABLISHED', 'RELATED', 'INVALID', 'UNTRACKED'];
const CT_FIELDS = [ascii('null,"flow":'), ...CT_STATES.map((s) => ascii(`"${s}","flow":`))];

export function ctCode(ct: string | null): number {
	return ct === null ? 0 : CT_STATES.indexOf(ct) + 1;
}

const NULL = ascii('null');
const HITS = ascii(',"hits":');
const WHY = ascii(',"why":');

/** A result's fields in the common case (no hits, no why): its head, its conntrack state's code, its flow (-1: null). */
export function writeReplayCore(out: JsonLineWriter, head: Uint8Array, ct: number, flow: number): void {
	out.bytes(head);
	out.bytes(CT_FIELDS[ct]!);
	if (flow < 0) out.bytes(NULL);
	else out.int(flow);
}

const hitsMade = new WeakMap<object, Uint8Array>();

/** What `pcap --trace --json` adds to a packet's line (each field after a comma), written into the line. */
export function writeReplayFields(out: JsonLineWriter, r: ReplayResult): void {
	writeReplayCore(out, replayHead(r.fate, r.verdict).bytes, ctCode(r.ct), r.flow ?? -1);
	if (r.hits !== undefined) {
		let json = hitsMade.get(r.hits);
		if (json === undefined) hitsMade.set(r.hits, (json = ascii(asciiJson(r.hits))));
		out.bytes(HITS);
		out.bytes(json);
	}
	if (r.why !== undefined) {
		out.bytes(WHY);
		out.text(asciiJson(r.why));
	}
}
