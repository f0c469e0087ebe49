import type { ParseContext, TargetExtension } from '../extension.js';
import type { Token } from '../tokens.js';
import { targetOptions, value } from './target-options.js';

export interface RateestOptions {
	readonly name: string;
	/** As the kernel holds them: interval = 250 ms × 2^(interval + 2) / 4, averaging 2^ewmaLog intervals. */
	readonly interval: number;
	readonly ewmaLog: number;
}

/** "1s", "250ms", "100us" (no unit: microseconds), as libxt_RATEEST reads them; in microseconds. */
function microseconds(ctx: ParseContext, token: Token): number {
	const m = /^([0-9]*\.?[0-9]+(?:e[+-]?\d+)?)(s|sec|secs|ms|msec|msecs|us|usec|usecs)?$/i.exec(token.text);
	if (!m) return ctx.fail(token, `bad time "${token.text}": expected a number with s, ms or us`);
	const unit = (m[2] ?? 'us').toLowerCase();
	const scale = unit.startsWith('ms') ? 1000 : unit.startsWith('u') ? 1 : 1_000_000;
	return Math.floor(Number(m[1]) * scale);
}

/** RATEEST counts matching packets into the rate estimator NAME (for -m rateest) and lets them go on. */
export const RATEEST: TargetExtension<RateestOptions> = {
	name: 'RATEEST',
	reads: {},
	parse(uses, ctx) {
		const options = targetOptions(uses, ctx, 'RATEEST', ['--rateest-name', '--rateest-interval', '--rateest-ewmalog']);
		const name = value(ctx, options, '--rateest-name', 'a name') ?? ctx.fail(ctx.anchor, 'RATEEST needs --rateest-name NAME');
		const intervalToken = value(ctx, options, '--rateest-interval', 'a time') ?? ctx.fail(ctx.anchor, 'RATEEST needs --rateest-interval TIME');
		const ewmaToken = value(ctx, options, '--rateest-ewmalog', 'a time') ?? ctx.fail(ctx.anchor, 'RATEEST needs --rateest-ewmalog TIME');
		const intervalUs = microseconds(ctx, intervalToken);
		const ewmaUs = microseconds(ctx, ewmaToken);
		// libxt_RATEEST's final check: the interval rounds up to 250 ms × 2^k (k ≤ 5) ...
		let interval = 0;
		while (interval <= 5 && intervalUs > (1 << interval) * 250_000) interval++;
		if (interval > 5) ctx.fail(intervalToken, 'the RATEEST interval is too large (at most 8s)');
		// ... and the averaging constant becomes a power of two of intervals.
		let ewmaLog = 1;
		for (; ewmaLog < 32; ewmaLog++) {
			const w = 1 - 1 / 2 ** ewmaLog;
			if (intervalUs / -Math.log(w) > ewmaUs) break;
		}
		ewmaLog--;
		if (ewmaLog === 0 || ewmaLog >= 31) ctx.fail(ewmaToken, 'the RATEEST ewmalog value is out of range for this interval');
		return { name: name.text, interval: interval - 2, ewmaLog };
	},
	apply: () => ({ kind: 'continue' }),
};
