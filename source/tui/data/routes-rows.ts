import { routeLine } from '../../commands/show.js';
import { formatCidr } from '../../packet/address.js';
import { canonicalTable, formatRule, type Route } from '../../routing/routes.js';
import { ROUTE_ERROR_TEXT, type RouteDecision, type RoutingState } from '../../routing/lookup.js';
import type { Trace } from '../../trace/model.js';
import { safeText } from '../../views/safe-text.js';
import { arraySource, type Row, type RowSource } from '../rows.js';

/** The parts of a routing decision that say which policy rule and which route were chosen. */
export interface ChosenRoute {
	readonly family: 4 | 6;
	readonly type: string;
	readonly dst: string | null;
	readonly dev: string | null;
	readonly table: string | null;
	readonly rule: number | null;
	/** Where it came from: "the trace" or "route get". */
	readonly from: string;
}

/** The routing decision of a trace (the first one: the re-route of a locally sent packet comes later). */
export function chosenByTrace(trace: Trace | undefined): ChosenRoute | undefined {
	if (!trace) return undefined;
	const step = trace.steps.find((s) => s.kind === 'routing');
	if (!step || step.kind !== 'routing') return undefined;
	return { family: trace.packet.family, type: step.type, dst: step.dst, dev: step.dev, table: step.table, rule: step.rule, from: 'the trace' };
}

export function chosenByDecision(decision: RouteDecision, family: 4 | 6): ChosenRoute {
	return { family, type: decision.type, dst: decision.dst, dev: decision.dev, table: decision.table, rule: decision.rule, from: 'route get' };
}

/** `ip route get`'s answer in one line. */
export function decisionLine(decision: RouteDecision): string {
	if (decision.error) {
		const where = [decision.dst && `route ${decision.dst}`, decision.table && `table ${decision.table}`, decision.rule !== null && `rule ${decision.rule}`].filter(Boolean).join(', ');
		return safeText(`${decision.type} ${decision.address}: ${ROUTE_ERROR_TEXT[decision.error]}${where ? ` (${where})` : ''}`);
	}
	const parts = [decision.type === 'unicast' ? '' : decision.type, decision.address];
	if (decision.gateway) parts.push(`via ${decision.gateway}`);
	if (decision.dev) parts.push(`dev ${decision.dev}`);
	if (decision.table) parts.push(`table ${decision.table}`);
	if (decision.prefsrc) parts.push(`src ${decision.prefsrc}`);
	if (decision.dst) parts.push(`(matched ${decision.dst}${decision.rule !== null ? `, rule ${decision.rule}` : ''})`);
	return safeText(parts.filter(Boolean).join(' '));
}

const MERGED = new Set(['main', 'local']);

function routeChosen(route: Route, chosen: ChosenRoute): boolean {
	if (route.family !== chosen.family || chosen.dst === null) return false;
	const table = chosen.table === null ? null : canonicalTable(chosen.table);
	const routeTable = canonicalTable(route.table);
	// The kernel merges local and main while no other rule is in between: a decision may name either.
	const sameTable = table === routeTable || (table !== null && MERGED.has(table) && MERGED.has(routeTable));
	if (!sameTable || formatCidr(route.dst) !== chosen.dst) return false;
	if (chosen.dev && route.dev && chosen.dev !== route.dev && !route.nexthops) return chosen.type === 'local' && route.type === 'local';
	return true;
}

/** Policy rules, then each table's routes, the chosen rule and route marked. */
export function routesRows(routing: RoutingState | undefined, chosen: ChosenRoute | undefined): RowSource {
	const rows: Row[] = [];
	if (!routing) {
		rows.push({ text: 'No routes were read: give --routes (ip -j route show table all), a snapshot, --demo, or run on the host.', tone: 'warn' });
		return arraySource(rows);
	}
	for (const family of [4, 6] as const) {
		const rules = routing.rules.filter((r) => r.family === family);
		const routes = routing.routes.filter((r) => r.family === family);
		if (rules.length === 0 && routes.length === 0) continue;
		const name = family === 4 ? 'IPv4' : 'IPv6';
		rows.push({ text: `${name} policy rules (ip ${family === 6 ? '-6 ' : ''}rule)`, tone: 'heading' });
		for (const rule of rules) {
			const mark = chosen && chosen.family === family && chosen.rule === rule.priority ? 'chosen' as const : undefined;
			rows.push({ text: safeText(`  ${`${rule.priority}:`.padEnd(8)}${formatRule(rule)}`), tone: mark ? 'decider' : 'normal', ...(mark ? { mark } : {}) });
		}
		const tables = new Map<string, Route[]>();
		for (const route of routes) {
			const table = canonicalTable(route.table);
			tables.set(table, [...(tables.get(table) ?? []), route]);
		}
		let markedOne = false;
		for (const [table, list] of tables) {
			rows.push({ text: safeText(`${name} table ${table}`), tone: 'heading' });
			for (const route of list) {
				const mark = !markedOne && chosen !== undefined && routeChosen(route, chosen);
				if (mark) markedOne = true;
				const lines = routeLine(route, false).split('\n');
				lines.forEach((line, i) => rows.push({ text: safeText(`  ${i ? '  ' : ''}${line.trim()}`), tone: mark ? 'decider' : 'normal', ...(mark && i === 0 ? { mark: 'chosen' as const } : {}) }));
			}
		}
	}
	return arraySource(rows);
}
