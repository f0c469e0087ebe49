import type { PacketJson } from '../../packet/packet.js';
import type { Step, Trace } from '../../trace/model.js';
import { safeText } from '../../views/safe-text.js';
import { arraySource, type Row, type RowAction, type RowSource, type Tone } from '../rows.js';
import { ruleKey } from './rules-rows.js';

/** The fate in one line, and its tone (red for dropped/rejected, green for delivered/forwarded/sent). */
export function fateLine(trace: Trace): { text: string; tone: Tone } {
	const tone: Tone = trace.fate === 'dropped' || trace.fate === 'rejected' ? 'bad' : trace.fate === 'queued' ? 'warn' : 'good';
	return { text: safeText(trace.summary), tone };
}

const FIELDS: readonly (keyof PacketJson)[] = ['src', 'sport', 'dst', 'dport', 'mark', 'in', 'out', 'proto', 'icmp_type', 'icmp_code', 'state', 'tcp_flags'];

/** What a rewrite changed, field by field: "dst 10.2.67.1 → 10.9.0.2, dport 8080 → 80". */
export function rewriteDiff(before: PacketJson, after: PacketJson): string {
	const changes: string[] = [];
	for (const field of FIELDS) {
		const a = before[field];
		const b = after[field];
		if (a !== b) changes.push(`${field} ${a ?? '-'} → ${b ?? '-'}`);
	}
	return safeText(changes.join(', ') || 'no visible change');
}

function endpoint(p: PacketJson, ip: string, port: number | undefined): string {
	return port === undefined ? ip : p.family === 6 ? `[${ip}]:${port}` : `${ip}:${port}`;
}

export function packetText(p: PacketJson): string {
	let text = `${p.proto} ${endpoint(p, p.src, p.sport)} > ${endpoint(p, p.dst, p.dport)}`;
	if (p.icmp_type !== undefined) text += ` type ${p.icmp_type}/${p.icmp_code ?? 0}`;
	if (p.tcp_flags) text += ` [${p.tcp_flags}]`;
	if (p.in) text += ` in ${p.in}`;
	if (p.out) text += ` out ${p.out}`;
	if (p.mark) text += ` mark ${p.mark}`;
	return safeText(text);
}

const HOOK_WIDTH = 12;

/**
 * The path as rows: one per hook/table/chain step with the deciding rule under it, routing decisions,
 * rewrites as before → after, skipped tables; a step whose key is in `unfolded` lists every rule walked
 * and why it did not match. Then branches, the reply the kernel sends, and the assumptions.
 */
export function traceRows(trace: Trace, unfolded: ReadonlySet<string>): RowSource {
	const rows: Row[] = [];
	const actions = new Map<number, RowAction>();
	const push = (row: Row, action?: RowAction) => {
		if (action) actions.set(rows.length, action);
		rows.push(row);
	};
	trace.steps.forEach((step, index) => stepRows(step, `step:${index}`, unfolded, push, trace.packet.family));
	if (JSON.stringify(trace.final) !== JSON.stringify(trace.packet)) push({ text: `Leaves as     ${packetText(trace.final)}`, tone: 'accent' });
	if (trace.branches.length) {
		push({ text: 'Random branches (-m statistic)', tone: 'heading' });
		for (const b of trace.branches) {
			push({
				text: safeText(`  ${b.table}/${b.chain} rule ${b.rule} → ${b.target ?? '(no target)'}: ${(100 * b.share).toFixed(1)}% of flows (p=${b.probability.toFixed(4)})${b.taken ? '  ← this flow' : ''}`),
				tone: b.taken ? 'accent' : 'normal',
				...(b.taken ? { mark: 'hit' as const } : {}),
			});
		}
	}
	if (trace.reply) {
		const reply = trace.reply;
		const key = 'reply';
		const open = unfolded.has(key);
		push({ text: safeText(`Reply         the ${reply.packet.proto === 'tcp' ? 'TCP RST' : 'ICMP error'} sent back: ${packetText(reply.packet)}`), tone: 'heading', mark: open ? 'unfolded' : 'folded' }, { kind: 'toggle', key });
		if (open) reply.steps.forEach((step, index) => stepRows(step, `reply:${index}`, unfolded, push, reply.packet.family, '  '));
		push({ text: `              ${safeText(reply.summary)}`, tone: reply.fate === 'dropped' || reply.fate === 'rejected' ? 'bad' : 'normal' });
	}
	if (trace.assumptions.length) {
		push({ text: 'Assumptions', tone: 'heading' });
		for (const a of trace.assumptions) push({ text: `  - ${safeText(a)}`, tone: 'warn' });
	}
	return arraySource(rows, (i) => actions.get(i));
}

function stepRows(step: Step, key: string, unfolded: ReadonlySet<string>, push: (row: Row, action?: RowAction) => void, family: 4 | 6, indent = ''): void {
	const open = unfolded.has(key);
	switch (step.kind) {
		case 'chain': {
			const decided = step.decided_by === 'policy'
				? `policy ${step.result}`
				: `${step.result} by rule ${step.decided_by.rule}${step.decided_by.chain !== step.chain ? ` in ${step.decided_by.chain}` : ''}`;
			const walked = step.evaluations.length;
			const refused = step.result === 'DROP' || step.result === 'REJECT';
			const head = `${indent}${step.hook.padEnd(HOOK_WIDTH)}${`${step.table}/${step.chain}`.padEnd(22)} → ${decided}`;
			push({
				text: safeText(`${head}${walked ? `   (${walked} rule${walked === 1 ? '' : 's'} walked${open ? '' : ', Enter unfolds'})` : ''}`),
				tone: refused ? 'bad' : 'subheading',
				mark: walked ? (open ? 'unfolded' : 'folded') : undefined,
			}, walked ? { kind: 'toggle', key } : undefined);
			const pad = `${indent}${' '.repeat(HOOK_WIDTH)}`;
			if (open) {
				for (const e of step.evaluations) {
					const where = e.chain === step.chain ? `${e.rule}` : `${e.chain} ${e.rule}`;
					const decider = step.decided_by !== 'policy' && step.decided_by.chain === e.chain && step.decided_by.rule === e.rule;
					const rule: RowAction = { kind: 'rule', key: ruleKey(family, e.table, e.chain, e.rule) };
					if (e.matched) {
						push({ text: safeText(`${pad}✓ ${where.padEnd(4)} ${e.text.trim()}`), tone: decider ? 'decider' : 'match', mark: decider ? 'decider' : 'hit' }, rule);
					} else {
						push({ text: safeText(`${pad}✗ ${where.padEnd(4)} ${e.text.trim()}`), tone: 'miss', mark: 'walked' }, rule);
						push({ text: safeText(`${pad}    ${e.reason ?? ''}`), tone: 'dim' });
					}
				}
				if (step.decided_by === 'policy') push({ text: safeText(`${pad}end of ${step.chain}: policy ${step.result}`), tone: 'decider', mark: 'decider' });
			} else if (step.decided_by !== 'policy') {
				const where = step.decided_by.chain === step.chain ? `${step.decided_by.rule}` : `${step.decided_by.chain} ${step.decided_by.rule}`;
				push({ text: safeText(`${pad}✓ ${where.padEnd(4)} ${step.decided_by.text.trim()}`), tone: 'decider', mark: 'decider' }, { kind: 'rule', key: ruleKey(family, step.table, step.decided_by.chain, step.decided_by.rule) });
			}
			break;
		}
		case 'skip':
			push({ text: safeText(`${indent}${step.hook.padEnd(HOOK_WIDTH)}${step.table.padEnd(22)} skipped: ${step.why}`), tone: 'dim' });
			break;
		case 'rewrite':
			push({ text: safeText(`${indent}${step.hook.padEnd(HOOK_WIDTH)}${`${step.table} rewrite`.padEnd(22)} ${step.change}`), tone: 'accent' });
			push({ text: `${indent}${' '.repeat(HOOK_WIDTH)}${rewriteDiff(step.before, step.after)}`, tone: 'accent' });
			push({ text: `${indent}${' '.repeat(HOOK_WIDTH)}before ${packetText(step.before)}`, tone: 'dim' });
			push({ text: `${indent}${' '.repeat(HOOK_WIDTH)}after  ${packetText(step.after)}`, tone: 'dim' });
			break;
		case 'routing': {
			const via = [step.gateway ? `via ${step.gateway}` : '', step.dev ? `dev ${step.dev}` : '', step.prefsrc ? `src ${step.prefsrc}` : ''].filter(Boolean).join(' ');
			const where = step.table ? ` (table ${step.table}${step.rule !== null ? `, rule ${step.rule}` : ''})` : '';
			const text = `${indent}${(step.reroute ? 'Re-route' : 'Routing').padEnd(HOOK_WIDTH)}${`${step.type} ${step.dst} ${via}${where}`.replace(/ +/g, ' ')}`;
			const explained = step.explanation.length > 0;
			push({ text: safeText(explained && !open ? `${text}   (Enter: why)` : text), tone: 'accent', mark: explained ? (open ? 'unfolded' : 'folded') : undefined }, explained ? { kind: 'toggle', key } : undefined);
			if (open) for (const line of step.explanation) push({ text: safeText(`${indent}${' '.repeat(HOOK_WIDTH)}${line}`), tone: 'dim' });
			if (step.nexthops) for (const hop of step.nexthops) push({ text: safeText(`${indent}${' '.repeat(HOOK_WIDTH)}nexthop ${hop.gateway ? `via ${hop.gateway} ` : ''}${hop.dev ? `dev ${hop.dev}` : ''}`), tone: 'dim' });
			break;
		}
		case 'bridge': {
			const action = step.action === 'forward' ? `bridged out ${step.out.join(', ')}` : step.action === 'flood' ? `flooded out ${step.out.join(', ') || 'no port'}` : step.action === 'up' ? `handed up to ${step.bridge}` : 'dropped';
			push({ text: safeText(`${indent}${'Bridge'.padEnd(HOOK_WIDTH)}${step.bridge} (in ${step.port}, to ${step.dst_mac ?? 'unknown MAC'}): ${action}`), tone: step.action === 'drop' ? 'warn' : 'accent' });
			push({ text: safeText(`${indent}${' '.repeat(HOOK_WIDTH)}${step.reason}`), tone: 'dim' });
			break;
		}
		case 'note':
			push({ text: safeText(`${indent}${' '.repeat(HOOK_WIDTH)}${step.text}`), tone: 'dim' });
			break;
	}
}
