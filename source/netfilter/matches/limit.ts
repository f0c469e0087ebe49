import type { MatchExtension, ParseContext } from '../extension.js';
import type { Token } from '../tokens.js';
import { assumeThat, readOptions } from './extension-kit.js';

const UNITS: readonly [string, number][] = [['second', 1], ['minute', 60], ['hour', 3600], ['day', 86400]];

export interface Rate {
	/** Events (packets, or bytes when `bytes`) per second. */
	readonly perSecond: number;
	readonly bytes: boolean;
	readonly text: string;
}

/**
 * A rate as libxt_limit and libxt_hashlimit read it: N[/second|/minute|/hour|/day] (any prefix of the
 * unit, per second when none), or for hashlimit N{b,kb,mb}/s. `scale` is the kernel's resolution: a
 * rate finer than one tick is "too fast".
 */
export function parseRate(token: Token, ctx: ParseContext, scale: number, allowBytes: boolean): Rate {
	const text = token.text;
	const bytes = allowBytes ? /^(\d+)(b|kb|mb)\/s$/i.exec(text) : null;
	if (bytes) {
		const factor = { b: 1, kb: 1024, mb: 1024 * 1024 }[bytes[2]!.toLowerCase() as 'b' | 'kb' | 'mb'];
		const perSecond = Number(bytes[1]) * factor;
		if (perSecond === 0) ctx.fail(token, `bad rate "${text}"`);
		return { perSecond, bytes: true, text };
	}
	const m = /^(\d+)(?:\/([a-z]+))?$/i.exec(text);
	if (!m) ctx.fail(token, `bad rate "${text}": expected N/second, N/minute, N/hour or N/day${allowBytes ? ' (or N{b,kb,mb}/s)' : ''}`);
	const unit = m[2]?.toLowerCase();
	const mult = unit === undefined ? 1 : UNITS.find(([name]) => name.startsWith(unit))?.[1];
	if (mult === undefined) ctx.fail(token, `bad rate unit "/${m[2]}": expected /second, /minute, /hour or /day`);
	const count = Number(m[1]);
	if (count === 0) ctx.fail(token, `bad rate "${text}": the count must be positive`);
	if (Math.floor((scale * mult) / count) === 0) ctx.fail(token, `rate too fast "${text}"`);
	return { perSecond: count / mult, bytes: false, text };
}

export interface LimitOptions {
	readonly rate: Rate;
	readonly burst: number;
	readonly negated: boolean;
}

/** libxt_limit's XT_LIMIT_SCALE. */
const LIMIT_SCALE = 10000;

/**
 * -m limit: a token bucket shared by every packet that reaches the rule (xt_limit). netsleuth traces one
 * packet and knows no earlier ones: it assumes the bucket still has a token, and says so.
 */
export const limit: MatchExtension<LimitOptions> = {
	name: 'limit',
	reads: { state: true },
	parse(uses, ctx) {
		let rate: Rate | undefined;
		let burst = 5;
		let negated = false;
		for (const use of readOptions('limit', uses, ctx, {
			'--limit': { args: 1, negatable: true },
			'--limit-burst': { args: 1 },
		})) {
			if (use.name === '--limit') {
				rate = parseRate(use.args[0]!, ctx, LIMIT_SCALE, false);
				negated = use.negated;
			} else burst = ctx.integer(use.args[0]!, 'a burst size', 0, 10000);
		}
		return { rate: rate ?? { perSecond: 3 / 3600, bytes: false, text: '3/hour' }, burst, negated };
	},
	evaluate(o, _packet, env) {
		return assumeThat(
			env,
			`-m limit ${o.rate.text} (burst ${o.burst}): earlier packets are unknown, so the rate is assumed not exceeded${o.negated ? ' (! --limit does not match)' : ''}`,
			!o.negated,
			'! --limit matches only packets over the limit (assumed not)',
		);
	},
};
