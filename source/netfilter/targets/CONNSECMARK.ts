import type { TargetExtension } from '../extension.js';
import { exclusive, flag, targetOptions } from './target-options.js';

/**
 * CONNSECMARK copies the SELinux security mark from the packet to its connection (--save) or back
 * (--restore), each only where none is set yet, then lets the packet go on.
 */
export const CONNSECMARK: TargetExtension<'save' | 'restore'> = {
	name: 'CONNSECMARK',
	reads: {},
	tables: ['mangle', 'security'],
	parse(uses, ctx) {
		const options = targetOptions(uses, ctx, 'CONNSECMARK', ['--save', '--restore']);
		exclusive(ctx, options, 'CONNSECMARK', ['--save', '--restore']);
		if (flag(ctx, options, '--save')) return 'save';
		if (flag(ctx, options, '--restore')) return 'restore';
		return ctx.fail(ctx.anchor, 'CONNSECMARK needs --save or --restore');
	},
	apply(mode, _packet, env) {
		if (mode === 'restore') env.assume("CONNSECMARK --restore: an unlabelled packet takes its connection's security mark; SELinux policy (not known to netsleuth) is assumed to allow it");
		return { kind: 'continue' };
	},
};
