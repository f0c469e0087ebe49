import type { TargetExtension } from '../extension.js';
import { exclusive, flag, targetOptions } from './target-options.js';

export interface NfqueueOptions {
	readonly first: number;
	/** Equal to first without --queue-balance. */
	readonly last: number;
	readonly bypass: boolean;
	readonly cpuFanout: boolean;
}

const OPTIONS = ['--queue-num', '--queue-balance', '--queue-bypass', '--queue-cpu-fanout'];

/**
 * NFQUEUE hands the packet to the userspace program bound to a queue, which decides its fate: the chain
 * ends here. With no program bound the kernel drops it, or with --queue-bypass lets it go on as if this
 * table had accepted it. --queue-balance spreads flows over a range by a hash of the addresses whose seed
 * is random at boot (or by CPU with --queue-cpu-fanout): the queue is then one of the range.
 */
export const NFQUEUE: TargetExtension<NfqueueOptions> = {
	name: 'NFQUEUE',
	reads: {},
	parse(uses, ctx) {
		const options = targetOptions(uses, ctx, 'NFQUEUE', OPTIONS);
		exclusive(ctx, options, 'NFQUEUE', ['--queue-num', '--queue-balance']);
		let first = 0;
		let last = 0;
		const num = options.get('--queue-num');
		if (num) first = last = ctx.integer(ctx.arg(num, 'a queue number'), 'queue number', 0, 65535);
		const balance = options.get('--queue-balance');
		if (balance) {
			const token = ctx.arg(balance, 'first:last');
			if (!/^\d+:\d+$|^0x[0-9a-f]+:0x[0-9a-f]+$/i.test(token.text)) ctx.fail(token, `bad range "${token.text}": expected first:last`);
			({ from: first, to: last } = ctx.range(token, 'queue number', 0, 65535));
			if (first >= last) ctx.fail(token, `${first} should be less than ${last}`);
			if (last - first + 1 > 65535) ctx.fail(token, 'at most 65535 queues can be balanced (0:65535 is refused)');
		}
		const cpuFanout = flag(ctx, options, '--queue-cpu-fanout');
		if (cpuFanout && !balance) ctx.fail(options.get('--queue-cpu-fanout')!.token, '--queue-cpu-fanout also requires --queue-balance');
		return { first, last, bypass: flag(ctx, options, '--queue-bypass'), cpuFanout };
	},
	apply(o, _packet, env) {
		const queue = o.first === o.last ? String(o.first) : `${o.first}-${o.last}`;
		if (o.first !== o.last) {
			env.assume(o.cpuFanout
				? `NFQUEUE --queue-cpu-fanout: the queue is ${o.first} + (CPU number mod ${o.last - o.first + 1}); which CPU handles the packet is not known`
				: `NFQUEUE --queue-balance: one queue of ${queue}, chosen by a hash of the addresses with a seed random at boot (the same for a whole flow)`);
		}
		env.assume(o.bypass
			? `a program is assumed bound to NFQUEUE ${queue} and decides the packet's fate; if none is, --queue-bypass lets the packet go on as if this table had accepted it`
			: `a program is assumed bound to NFQUEUE ${queue} and decides the packet's fate; if none is, the kernel drops the packet`);
		return { kind: 'queue', queue };
	},
};
