import Table from 'cli-table3';
import { safeText } from '../views/safe-text.js';
import type { ReplayResult, ReplaySummary } from './replay.js';
import { asciiJson } from './summary.js';

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
