import type { TargetExtension } from '../extension.js';
import { integerOption, targetOptions, value } from './target-options.js';

export interface UlogOptions {
	readonly group: number;
	readonly prefix?: string;
}

const OPTIONS = ['--ulog-nlgroup', '--ulog-prefix', '--ulog-cprange', '--ulog-qthreshold'];

/**
 * ULOG, NFLOG's IPv4-only predecessor: multicasts a copy of the packet to a netlink group and lets it go
 * on. Linux 3.17 removed it, so only rulesets saved on older kernels hold it.
 */
export const ULOG: TargetExtension<UlogOptions> = {
	name: 'ULOG',
	reads: {},
	parse(uses, ctx) {
		if (ctx.family !== 4) ctx.fail(ctx.anchor, 'ULOG is IPv4-only: ip6tables has no ULOG (use NFLOG)');
		const options = targetOptions(uses, ctx, 'ULOG', OPTIONS);
		const prefix = value(ctx, options, '--ulog-prefix', 'a prefix');
		if (prefix && prefix.text.length > 31) ctx.warn(prefix, 'a ULOG prefix keeps 31 characters; the rest is cut off');
		integerOption(ctx, options, '--ulog-cprange', 'bytes to copy', 0, 0xffffffff);
		integerOption(ctx, options, '--ulog-qthreshold', 'queue threshold', 1, 50);
		const group = integerOption(ctx, options, '--ulog-nlgroup', 'netlink group', 1, 32) ?? 1;
		ctx.warn(ctx.anchor, 'ULOG was removed from Linux 3.17: a current kernel refuses this rule (NFLOG replaces it)');
		return { group, ...(prefix ? { prefix: prefix.text.slice(0, 31) } : {}) };
	},
	apply: () => ({ kind: 'continue' }),
};
