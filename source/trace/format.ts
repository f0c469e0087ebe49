import { safeText } from '../views/safe-text.js';
import type { Style } from '../views/style.js';
import type { Step, Trace } from './model.js';
import type { PacketJson } from '../packet/packet.js';

export interface FormatOptions {
	readonly style: Style;
	/** Show every rule walked; otherwise only the first few that did not match in each chain. */
	readonly verbose: boolean;
}

const SHOWN_MISSES = 12;

function describe(p: PacketJson): string {
	const at = (ip: string, port?: number) => (port === undefined ? ip : p.family === 6 ? `[${ip}]:${port}` : `${ip}:${port}`);
	let text = `${p.proto} ${at(p.src, p.sport)} > ${at(p.dst, p.dport)}`;
	if (p.icmp_type !== undefined) text += ` type ${p.icmp_type}/${p.icmp_code ?? 0}`;
	if (p.tcp_flags) text += ` [${p.tcp_flags}]`;
	if (p.in) text += ` in ${p.in}`;
	if (p.out) text += ` out ${p.out}`;
	if (p.src_mac) text += ` mac ${p.src_mac}`;
	if (p.dst_mac) text += ` dmac ${p.dst_mac}`;
	if (p.phys_in || p.phys_out) text += ` (bridge ports${p.phys_in ? ` in ${p.phys_in}` : ''}${p.phys_out ? ` out ${p.phys_out}` : ''})`;
	if (p.mark) text += ` mark ${p.mark}`;
	if (p.local) text += ' (sent by this host)';
	return safeText(`${text}, state ${p.state}`);
}

function formatStep(step: Step, options: FormatOptions, lines: string[]): void {
	const s = options.style;
	switch (step.kind) {
		case 'chain': {
			const decided = step.decided_by === 'policy' ? `policy ${step.result}` : `${step.result} by rule ${step.decided_by.rule}${step.decided_by.chain !== step.chain ? ` in ${step.decided_by.chain}` : ''}`;
			lines.push(`  ${s.bold(safeText(`${step.table}/${step.chain}`))}  → ${safeText(decided)}`);
			let misses = 0;
			let hidden = 0;
			for (const e of step.evaluations) {
				const where = e.chain === step.chain ? `${e.rule}` : safeText(`${e.chain} ${e.rule}`);
				if (e.matched) {
					const isDecider = step.decided_by !== 'policy' && step.decided_by.chain === e.chain && step.decided_by.rule === e.rule;
					const line = `    ✓ ${where.padEnd(4)} ${safeText(e.text.trim())}`;
					lines.push(isDecider ? s.bold(s.green(line)) : s.green(line));
					continue;
				}
				if (!options.verbose && misses >= SHOWN_MISSES) {
					hidden++;
					continue;
				}
				misses++;
				lines.push(s.dim(`    ✗ ${where.padEnd(4)} ${safeText(e.text.trim())}`));
				lines.push(s.dim(`           ${safeText(e.reason ?? '')}`));
			}
			if (hidden) lines.push(s.dim(`    … ${hidden} more rules did not match (--verbose shows them)`));
			break;
		}
		case 'skip':
			lines.push(s.dim(safeText(`  ${step.table}/${step.hook}  skipped: ${step.why}`)));
			break;
		case 'rewrite':
			lines.push(`  ${s.yellow(`rewrite by ${step.table}/${step.hook}: ${safeText(step.change)}`)}`);
			break;
		case 'routing': {
			const via = [step.gateway ? `via ${step.gateway}` : '', step.dev ? `dev ${safeText(step.dev)}` : '', step.prefsrc ? `src ${step.prefsrc}` : ''].filter(Boolean).join(' ');
			const where = step.table ? ` (table ${step.table}${step.rule !== null ? `, rule ${step.rule}` : ''})` : '';
			lines.push(s.cyan(`${step.reroute ? 'Re-routing' : 'Routing decision'}: ${step.type} ${step.dst} ${via}${where}`.replace(/ +/g, ' ')));
			if (options.verbose) for (const line of step.explanation) lines.push(s.dim(`  ${safeText(line)}`));
			break;
		}
		case 'bridge': {
			const what = step.action === 'forward' ? `bridged out ${step.out[0]}` : step.action === 'flood' ? `flooded out ${step.out.join(', ')}` : step.action === 'up' ? `handed up to ${step.bridge}` : 'dropped';
			const line = `Bridge ${step.bridge}: frame from port ${step.port} to ${step.dst_mac ?? 'an unknown MAC'}${step.vlan !== undefined ? ` (vlan ${step.vlan})` : ''} ${what}`;
			lines.push(step.action === 'drop' ? s.red(safeText(line)) : s.cyan(safeText(line)));
			lines.push(s.dim(`  ${safeText(step.reason)}`));
			break;
		}
		case 'note':
			lines.push(s.dim(`  ${safeText(step.text)}`));
			break;
	}
}

/** The human form of a trace: one block per hook, the rules walked, the rewrites, the fate in one sentence. */
export function formatTrace(trace: Trace, options: FormatOptions): string {
	const s = options.style;
	const lines: string[] = [];
	lines.push(`${s.bold('Packet')}  ${describe(trace.packet)}`);
	lines.push(`${s.bold('Path')}    ${trace.path}`);
	let hook = '';
	for (const step of trace.steps) {
		if ((step.kind === 'chain' || step.kind === 'skip' || step.kind === 'rewrite') && step.hook !== hook) {
			hook = step.hook;
			lines.push('', s.bold(hook));
		} else if (step.kind === 'routing' || step.kind === 'bridge') {
			hook = '';
			lines.push('');
		}
		formatStep(step, options, lines);
	}
	const passed = trace.fate === 'forwarded' || trace.fate === 'sent' || trace.fate === 'delivered';
	const { out: _out, ...finalWithoutOut } = trace.final;
	const { out: _in, ...packetWithoutOut } = trace.packet;
	if (passed && JSON.stringify(finalWithoutOut) !== JSON.stringify(packetWithoutOut)) lines.push('', `${s.bold(trace.fate === 'delivered' ? 'Arrives as' : 'Leaves as')} ${describe(trace.final)}`);
	if (trace.branches.length) {
		lines.push('', s.bold('Random branches (-m statistic)'));
		for (const b of trace.branches) {
			const line = `  ${b.taken ? '→' : ' '} ${safeText(`${b.table}/${b.chain}`)} rule ${b.rule} → ${safeText(b.target ?? '(no target)')}: ${(100 * b.share).toFixed(1)}% of flows (p=${b.probability.toFixed(4)})${b.taken ? '  ← this flow' : ''}`;
			lines.push(b.taken ? s.bold(line) : line);
		}
	}
	const colour = trace.fate === 'dropped' || trace.fate === 'rejected' ? s.red : trace.fate === 'queued' ? s.yellow : s.green;
	lines.push('', colour(s.bold(safeText(trace.summary))));
	if (trace.reply) {
		lines.push('', s.bold(`The ${trace.reply.packet.proto === 'tcp' ? 'TCP RST' : 'ICMP error'} sent back`), `  ${describe(trace.reply.packet)}`);
		for (const step of trace.reply.steps) if (step.kind === 'chain' && step.decided_by !== 'policy') lines.push(`  ${step.hook} ${step.table}: ${step.result} by rule ${step.decided_by.rule}: ${safeText(step.decided_by.text)}`);
		lines.push(`  ${safeText(trace.reply.summary)}`);
	}
	if (trace.assumptions.length) {
		lines.push('', s.bold('Assumptions'));
		for (const a of trace.assumptions) lines.push(`  - ${safeText(a)}`);
	}
	return lines.join('\n');
}
