import type { MatchExtension } from '../extension.js';
import { checkStates, parseStateList } from './conntrack.js';

export const state: MatchExtension<{ list: string[]; negated: boolean }> = {
	name: 'state',
	reads: {},
	parse(uses, ctx) {
		let options: { list: string[]; negated: boolean } | undefined;
		for (const use of uses) {
			if (use.name !== '--state') ctx.unknown('state', use);
			options = { list: parseStateList(use, ctx, ['INVALID', 'NEW', 'ESTABLISHED', 'RELATED', 'UNTRACKED']), negated: use.negated };
		}
		return ctx.require(options, 'state match needs --state');
	},
	evaluate: (o, packet, env) => checkStates(o.list, o.negated, packet, env),
};
