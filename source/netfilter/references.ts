import { targetName } from './parse.js';
import type { Table } from './ruleset.js';

/**
 * How many rules of the table jump or go to each of its chains (iptables -L's "references"), counted by
 * target name: a quickly read rule is not built to be counted (a kube-proxy dump has 100,000 of them).
 */
export function chainReferences(table: Table): Map<string, number> {
	const counts = new Map<string, number>();
	for (const chain of table.chains.values()) {
		for (const rule of chain.rules) {
			const target = targetName(rule);
			if (target !== undefined && table.chains.has(target)) counts.set(target, (counts.get(target) ?? 0) + 1);
		}
	}
	return counts;
}
