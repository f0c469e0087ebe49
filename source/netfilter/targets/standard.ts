import type { TargetExtension, TargetOutcome } from '../extension.js';

/** ACCEPT, DROP, RETURN and QUEUE: the verdicts iptables itself provides. */
function verdict(name: string, outcome: TargetOutcome): TargetExtension<undefined> {
	return {
		name,
		parse(uses, ctx) {
			if (uses.length) ctx.fail(uses[0]!.token, `${name} takes no options`);
			return undefined;
		},
		apply: () => outcome,
	};
}

export const ACCEPT = verdict('ACCEPT', { kind: 'accept' });
export const DROP = verdict('DROP', { kind: 'drop' });
export const RETURN = verdict('RETURN', { kind: 'return' });
export const QUEUE = verdict('QUEUE', { kind: 'queue', queue: '0' });
