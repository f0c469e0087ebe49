import type { TargetExtension } from '../extension.js';
import { flag, targetOptions, value } from './target-options.js';

export interface IdletimerOptions {
	readonly timeout: number;
	readonly label: string;
	readonly alarm: boolean;
}

/** IDLETIMER restarts the timer LABEL (a sysfs notification when it expires) and lets the packet go on. */
export const IDLETIMER: TargetExtension<IdletimerOptions> = {
	name: 'IDLETIMER',
	reads: {},
	parse(uses, ctx) {
		const options = targetOptions(uses, ctx, 'IDLETIMER', ['--timeout', '--label', '--alarm']);
		const timeoutToken = value(ctx, options, '--timeout', 'seconds') ?? ctx.fail(ctx.anchor, 'IDLETIMER needs --timeout SECONDS');
		const label = value(ctx, options, '--label', 'a label') ?? ctx.fail(ctx.anchor, 'IDLETIMER needs --label NAME');
		// The kernel refuses a timeout of 0 when the rule is loaded.
		const timeout = ctx.integer(timeoutToken, 'timeout in seconds', 1, 0xffffffff);
		if (label.text === '') ctx.fail(label, 'an IDLETIMER label must not be empty');
		if (label.text.length > 27) ctx.warn(label, 'an IDLETIMER label keeps 27 characters; the rest is cut off');
		return { timeout, label: label.text.slice(0, 27), alarm: flag(ctx, options, '--alarm') };
	},
	apply: () => ({ kind: 'continue' }),
};
