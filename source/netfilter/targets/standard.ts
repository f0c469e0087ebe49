import type { TargetExtension, TargetOutcome } from '../extension.js';

/** ACCEPT, DROP, RETURN and QUEUE: the verdicts iptables itself provides. */
function verdict(name: string, outcome: TargetOutcome, tables?: readonly string[]): TargetExtension<undefined> {
	return {
		name,
		reads: {},
		...(tables ? { tables } : {}),
		parse(uses, ctx) {
			if (uses.length) ctx.fail(uses[0]!.token, `${name} takes no options`);
			return undefined;
		},
		apply: () => outcome,
	};
}

export const ACCEPT = verdict('ACCEPT', { kind: 'accept' });
/** iptables refuses DROP in nat: "The nat table is not intended for filtering". */
export const DROP = verdict('DROP', { kind: 'drop' }, ['raw', 'mangle', 'filter', 'security']);
export const RETURN = verdict('RETURN', { kind: 'return' });
export const QUEUE = verdict('QUEUE', { kind: 'queue', queue: '0' });
