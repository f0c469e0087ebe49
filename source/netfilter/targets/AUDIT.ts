import type { TargetExtension } from '../extension.js';
import { targetOptions } from './target-options.js';

/** AUDIT writes an audit record (the --type is ignored since Linux 4.12) and lets the packet go on. */
export const AUDIT: TargetExtension<'accept' | 'drop' | 'reject'> = {
	name: 'AUDIT',
	reads: {},
	parse(uses, ctx) {
		const use = targetOptions(uses, ctx, 'AUDIT', ['--type']).get('--type');
		if (!use) return ctx.fail(ctx.anchor, 'AUDIT needs --type accept|drop|reject');
		const token = ctx.arg(use, 'accept, drop or reject');
		const type = token.text.toLowerCase();
		if (type !== 'accept' && type !== 'drop' && type !== 'reject') return ctx.fail(token, `bad AUDIT type "${token.text}": expected accept, drop or reject`);
		return type;
	},
	apply: () => ({ kind: 'continue' }),
};
