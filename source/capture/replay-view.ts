import Table from 'cli-table3';
import { safeText } from '../views/safe-text.js';
import type { ReplayResult, ReplaySummary } from './replay.js';
import type { JsonLineWriter } from './json-writer.js';
import { asciiJson } from './summary.js';

/** JSON made once per object, as bytes: a replay hands out the same verdict and hits for every packet a remembered decision fits. */
const jsonMade = new WeakMap<object, Uint8Array>();

function jsonOnce(v: object): Uint8Array {
	let json = jsonMade.get(v);
	if (json === undefined) {
		json = ascii(asciiJson(v));
		jsonMade.set(v, json);
	}
	return json;
}

const ascii = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'latin1'));

/** `,"fate":"…","verdict":…,"ct":` per fate and verdict object (null: no verdict), made once. */
const headMade = new Map<string, WeakMap<object, Uint8Array>>();
const NO_VERDICT = {};

function headOf(fate: string, verdict: object | null): Uint8Array {
	let byVerdict = headMade.get(fate);
	if (byVerdict === undefined) headMade.set(fate, (byVerdict = new WeakMap()));
	const key = verdict ?? NO_VERDICT;
	let head = byVerdict.get(key);
	if (head === undefined) {
		head = ascii(`,"fate":"${fate}","verdict":${verdict === null ? 'null' : asciiJson(verdict)},"ct":`);
		byVerdict.set(key, head);
	}
	return head;
}

const CT_NULL = ascii('null,"flow":');
const CT_STATES = new Map<string, Uint8Array>(['NEW', 'ESTABLISHED', 'RELATED', 'INVALID', 'UNTRACKED'].map((s) => [s, ascii(`"${s}","flow":`)]));
const NULL = ascii('null');
const HITS = ascii(',"hits":');
const WHY = ascii(',"why":');

/** What `pcap --trace --json` adds to a packet's line (each field after a comma), written into the line. */
export function writeReplayFields(out: JsonLineWriter, r: ReplayResult): void {
	out.bytes(headOf(r.fate, r.verdict));
	out.bytes(r.ct === null ? CT_NULL : (CT_STATES.get(r.ct) ?? ascii(`"${r.ct}","flow":`)));
	if (r.flow === null) out.bytes(NULL);
	else out.int(r.flow);
	if (r.hits !== undefined) {
		out.bytes(HITS);
		out.bytes(jsonOnce(r.hits));
	}
	if (r.why !== undefined) {
		out.bytes(WHY);
		out.text(asciiJson(r.why));
	}
}

/** The last line of `pcap --trace --json`. */
export function replaySummaryLine(summary: ReplaySummary): string {
	return `${asciiJson({ summary })}\n`;
}

/** The fate and what decided it, short: "dropped filter/INPUT policy DROP", "delivered filter/INPUT #2 ACCEPT". */
export function fateText(r: ReplayResult): string {
	if (r.fate === 'skipped') return `skipped: ${r.why ?? ''}`;
	const v = r.verdict;
	if (v === null) return r.fate;
	if (v.table === null) return `${r.fate}: ${v.text}`;
	return `${r.fate} ${v.table}/${v.chain} ${v.rule === null ? 'policy' : `#${v.rule}`} ${v.target ?? ''}`.trimEnd();
}

/** The two columns the table gains: conntrack state, and fate with its deciding rule. */
export function replayColumns(r: ReplayResult): string[] {
	return [r.ct ?? '', safeText(fateText(r))];
}

const PLAIN = { style: { head: [], border: [] } };

/** The summary tables under the packet table: per fate, per deciding rule, and the flows that never completed. */
export function renderReplaySummary(s: ReplaySummary): string {
	const fates = new Table({ head: ['fate', 'packets', 'flows'], ...PLAIN });
	const names = new Set([...Object.keys(s.by_fate), ...Object.keys(s.flows_by_fate)]);
	for (const fate of names) fates.push([fate, String(s.by_fate[fate] ?? 0), String(s.flows_by_fate[fate] ?? 0)]);
	fates.push(['total', String(s.packets), String(s.flows)]);
	let text = `${fates.toString()}\n`;
	if (s.by_rule.length > 0) {
		const rules = new Table({ head: ['table', 'chain', 'rule', 'target', 'packets'], ...PLAIN });
		for (const r of s.by_rule) rules.push([safeText(r.table), safeText(r.chain), r.rule === null ? 'policy' : String(r.rule), safeText(r.target ?? ''), String(r.count)]);
		text += `${rules.toString()}\n`;
	}
	text += `TCP flows that never completed their handshake: ${s.incomplete_flows}\n`;
	for (const a of s.assumptions) text += `assumed: ${a}\n`;
	return text;
}
