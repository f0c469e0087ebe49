import type { MatchExtension } from '../extension.js';
import { readOptions } from './extension-kit.js';

/** -m nfacct: counts the packet in an nfacct object and always matches (xt_nfacct). */
export const nfacct: MatchExtension<string> = {
	name: 'nfacct',
	reads: { state: true },
	parse(uses, ctx) {
		let name: string | undefined;
		for (const use of readOptions('nfacct', uses, ctx, { '--nfacct-name': { args: 1 } })) {
			const token = use.args[0]!;
			if (token.text.length === 0 || token.text.length > 31) ctx.fail(token, 'an nfacct name has 1 to 31 characters');
			name = token.text;
		}
		return ctx.require(name, 'nfacct match needs --nfacct-name');
	},
	evaluate: () => null,
};
