import { ROUTE_ERROR_TEXT, type RouteDecision } from '../routing/lookup.js';

/**
 * `netsleuth route get`: the JSON contract { type, dst, dev, gateway, prefsrc, table, rule } (plus
 * address, nexthops, error, explanation) or text shaped like `ip route get`, followed by the reasons.
 */
export function renderRouteGet(decision: RouteDecision, json: boolean): string {
	if (json) {
		const { type, dst, dev, gateway, prefsrc, table, rule, address, nexthops, error, explanation } = decision;
		return JSON.stringify({
			type, dst, dev, gateway, prefsrc, table, rule, address,
			...(nexthops && { nexthops }),
			...(error && { error, message: ROUTE_ERROR_TEXT[error] }),
			explanation,
		});
	}
	const lines: string[] = [];
	if (decision.error) {
		const where = [decision.dst && `route ${decision.dst}`, decision.table && `table ${decision.table}`, decision.rule !== null && `rule ${decision.rule}`];
		const context = where.filter(Boolean).join(', ');
		lines.push(`${decision.type} ${decision.address}: ${ROUTE_ERROR_TEXT[decision.error]}${context ? ` (${context})` : ''}`);
	} else {
		const parts = [decision.type === 'unicast' ? '' : decision.type, decision.address];
		if (decision.gateway) parts.push(`via ${decision.gateway}`);
		if (decision.dev) parts.push(`dev ${decision.dev}`);
		if (decision.table) parts.push(`table ${decision.table}`);
		if (decision.prefsrc) parts.push(`src ${decision.prefsrc}`);
		lines.push(parts.filter(Boolean).join(' '));
		const matched = [decision.dst && `matched ${decision.dst}`, decision.rule !== null && `by rule ${decision.rule}`].filter(Boolean);
		if (matched.length > 0) lines.push(`    ${matched.join(' ')}`);
		for (const hop of decision.nexthops ?? []) {
			const via = [hop.gateway && `via ${hop.gateway}`, hop.dev && `dev ${hop.dev}`, hop.prefsrc && `src ${hop.prefsrc}`, `weight ${hop.weight}`];
			lines.push(`    nexthop ${via.filter(Boolean).join(' ')}`);
		}
	}
	lines.push('why:', ...decision.explanation.map((line) => `  ${line}`));
	return `${lines.join('\n')}\n`;
}
