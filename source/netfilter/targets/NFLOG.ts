import type { TargetExtension } from '../extension.js';
import { exclusive, integerOption, targetOptions, value } from './target-options.js';

export interface NflogOptions {
	readonly group: number;
	readonly prefix?: string;
	/** Bytes copied to userspace (--nflog-size); undefined: the nfnetlink_log instance decides. */
	readonly size?: number;
	readonly threshold?: number;
}

const OPTIONS = ['--nflog-group', '--nflog-prefix', '--nflog-range', '--nflog-size', '--nflog-threshold'];

/** NFLOG hands a copy of the packet to nfnetlink_log (ulogd, tcpdump -i nflog:N) and lets it go on to the next rule. */
export const NFLOG: TargetExtension<NflogOptions> = {
	name: 'NFLOG',
	reads: {},
	parse(uses, ctx) {
		const options = targetOptions(uses, ctx, 'NFLOG', OPTIONS);
		exclusive(ctx, options, 'NFLOG', ['--nflog-range', '--nflog-size']);
		const prefixToken = value(ctx, options, '--nflog-prefix', 'a prefix');
		if (prefixToken) {
			if (prefixToken.text === '') ctx.fail(prefixToken, 'the --nflog-prefix must not be empty');
			if (prefixToken.text.includes('\n')) ctx.fail(prefixToken, 'newlines are not allowed in --nflog-prefix');
			if (prefixToken.text.length > 63) ctx.warn(prefixToken, `a ${prefixToken.text.length}-character NFLOG prefix: iptables-legacy keeps 63 characters, iptables-nft 127`);
		}
		const range = options.get('--nflog-range');
		if (range) {
			ctx.integer(ctx.arg(range, 'a size'), 'size', 0, 0xffffffff);
			ctx.warn(range.token, '--nflog-range has never worked and is ignored: use --nflog-size');
		}
		const size = integerOption(ctx, options, '--nflog-size', 'size', 0, 0xffffffff);
		const threshold = integerOption(ctx, options, '--nflog-threshold', 'threshold', 0, 65535);
		return {
			group: integerOption(ctx, options, '--nflog-group', 'group', 0, 65535) ?? 0,
			...(prefixToken ? { prefix: prefixToken.text } : {}),
			...(size !== undefined ? { size } : {}),
			...(threshold !== undefined ? { threshold } : {}),
		};
	},
	apply: () => ({ kind: 'continue' }),
};
