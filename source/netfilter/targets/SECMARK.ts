import type { TargetExtension } from '../extension.js';
import { targetOptions } from './target-options.js';

/**
 * SECMARK labels the packet with an SELinux security context, then lets it go on. Whether SELinux then lets
 * the labelled packet through is policy netsleuth does not have: stated as an assumption.
 */
export const SECMARK: TargetExtension<string> = {
	name: 'SECMARK',
	reads: {},
	tables: ['mangle', 'security'],
	parse(uses, ctx) {
		const use = targetOptions(uses, ctx, 'SECMARK', ['--selctx']).get('--selctx');
		if (!use) return ctx.fail(ctx.anchor, 'SECMARK needs --selctx CONTEXT');
		const token = ctx.arg(use, 'a security context');
		if (token.text === '') ctx.fail(token, '--selctx needs a security context');
		return token.text;
	},
	apply(context, _packet, env) {
		env.rewrite(`security mark → ${context}`, () => {});
		env.assume(`SECMARK labels the packet ${context}: SELinux policy (not known to netsleuth) is assumed to allow it`);
		return { kind: 'continue' };
	},
};
