import type { TargetExtension } from '../extension.js';
import { untrack } from './CT.js';

/** NOTRACK: the old spelling of CT --notrack. The packet is left untracked and goes on to the next rule. */
export const NOTRACK: TargetExtension<undefined> = {
	name: 'NOTRACK',
	reads: {},
	tables: ['raw'],
	parse(uses, ctx) {
		if (uses.length) ctx.unknown('NOTRACK', uses[0]!);
		return undefined;
	},
	apply(_options, packet, env) {
		untrack(packet, env);
		return { kind: 'continue' };
	},
};
