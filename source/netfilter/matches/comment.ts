import type { MatchExtension } from '../extension.js';

export const comment: MatchExtension<string> = {
	name: 'comment',
	reads: {},
	parse(uses, ctx) {
		let text = '';
		for (const use of uses) {
			if (use.name !== '--comment') ctx.unknown('comment', use);
			ctx.notNegatable(use);
			text = ctx.arg(use, 'a comment').text;
			if (text.length > 255) ctx.fail(use.args[0]!, 'a comment is at most 256 characters');
		}
		return text;
	},
	evaluate: () => null,
};
