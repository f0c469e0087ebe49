import type { TargetExtension } from '../extension.js';
import { flag, targetOptions } from './target-options.js';

/**
 * CHECKSUM --checksum-fill computes a checksum the kernel had left to the network card (locally generated
 * packets with offload), then lets the packet go on. Checksums are not in netsleuth's packet: nothing to show.
 */
export const CHECKSUM: TargetExtension<undefined> = {
	name: 'CHECKSUM',
	reads: {},
	tables: ['mangle'],
	parse(uses, ctx) {
		const options = targetOptions(uses, ctx, 'CHECKSUM', ['--checksum-fill']);
		if (!flag(ctx, options, '--checksum-fill')) ctx.fail(ctx.anchor, 'CHECKSUM needs --checksum-fill');
		return undefined;
	},
	apply: () => ({ kind: 'continue' }),
};
