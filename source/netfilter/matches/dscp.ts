import type { MatchExtension } from '../extension.js';
import { readOptions } from './extension-kit.js';

/** DiffServ class names (RFC 2474, 2597, 3246) and their code points. */
export const DSCP_CLASSES: Readonly<Record<string, number>> = {
	CS0: 0, CS1: 8, CS2: 16, CS3: 24, CS4: 32, CS5: 40, CS6: 48, CS7: 56, BE: 0,
	AF11: 10, AF12: 12, AF13: 14, AF21: 18, AF22: 20, AF23: 22, AF31: 26, AF32: 28, AF33: 30, AF41: 34, AF42: 36, AF43: 38, EF: 46,
};

export interface DscpOptions {
	readonly value: number;
	readonly negated: boolean;
	readonly text: string;
}

/** -m dscp: the six DSCP bits of the TOS byte / traffic class (xt_dscp). */
export const dscp: MatchExtension<DscpOptions> = {
	name: 'dscp',
	reads: {},
	parse(uses, ctx) {
		let options: DscpOptions | undefined;
		for (const use of readOptions('dscp', uses, ctx, {
			'--dscp': { args: 1, negatable: true },
			'--dscp-class': { args: 1, negatable: true },
		})) {
			if (options) ctx.fail(use.token, 'dscp takes --dscp or --dscp-class, once');
			const token = use.args[0]!;
			if (use.name === '--dscp') options = { value: ctx.integer(token, 'a DSCP value', 0, 63), negated: use.negated, text: token.text };
			else {
				const value = DSCP_CLASSES[token.text.toUpperCase()];
				if (value === undefined) ctx.fail(token, `unknown DSCP class "${token.text}": expected BE, EF, AF11…AF43 or CS0…CS7`);
				options = { value, negated: use.negated, text: token.text.toUpperCase() };
			}
		}
		return ctx.require(options, 'dscp match needs --dscp or --dscp-class');
	},
	evaluate(o, packet) {
		const actual = packet.tos >> 2;
		if ((actual === o.value) !== o.negated) return null;
		return `DSCP ${actual} ${o.negated ? 'is' : 'is not'} ${o.text}${/^\d/.test(o.text) ? '' : ` (${o.value})`}`;
	},
};
