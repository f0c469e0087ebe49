import type { TargetExtension } from '../extension.js';
import { flag, targetOptions, value } from './target-options.js';

export interface LedOptions {
	readonly trigger: string;
	/** Milliseconds, or 'inf'. */
	readonly delay: number | 'inf';
	readonly alwaysBlink: boolean;
}

/** LED blinks the LED trigger "netfilter-ID" and lets the packet go on. */
export const LED: TargetExtension<LedOptions> = {
	name: 'LED',
	reads: {},
	parse(uses, ctx) {
		const options = targetOptions(uses, ctx, 'LED', ['--led-trigger-id', '--led-delay', '--led-always-blink']);
		const trigger = value(ctx, options, '--led-trigger-id', 'a trigger name') ?? ctx.fail(ctx.anchor, 'LED needs --led-trigger-id NAME');
		if (trigger.text === '' || trigger.text.length > 16) ctx.fail(trigger, 'an LED trigger id is 1 to 16 characters ("netfilter-" is put before it)');
		const delayToken = value(ctx, options, '--led-delay', 'milliseconds or inf');
		const delay = delayToken === undefined ? 0 : delayToken.text === 'inf' ? 'inf' : ctx.integer(delayToken, 'delay in ms', 0, 0xffffffff);
		return { trigger: trigger.text, delay, alwaysBlink: flag(ctx, options, '--led-always-blink') };
	},
	apply: () => ({ kind: 'continue' }),
};
