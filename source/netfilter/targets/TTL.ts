import type { OptionUse, ParseContext, TargetExtension } from '../extension.js';
import { exclusive, targetOptions } from './target-options.js';

/** What TTL and HL do to their 8-bit field: set it, or add/subtract and stop at 0 and 255. */
export interface HopChange {
	readonly mode: 'set' | 'inc' | 'dec';
	readonly value: number;
}

/** The parser TTL (IPv4) and HL (IPv6) share: --PREFIX-set 0–255, --PREFIX-dec / --PREFIX-inc 1–255. */
export function parseHopChange(uses: readonly OptionUse[], ctx: ParseContext, target: string, prefix: string): HopChange {
	const names = [`--${prefix}-set`, `--${prefix}-dec`, `--${prefix}-inc`];
	const options = targetOptions(uses, ctx, target, names);
	exclusive(ctx, options, target, names);
	const [use] = options.values();
	if (!use) return ctx.fail(ctx.anchor, `${target} needs ${names.join(', ')}`);
	const mode = use.name.slice(prefix.length + 3) as HopChange['mode'];
	return { mode, value: ctx.integer(ctx.arg(use, 'a value'), 'value', mode === 'set' ? 0 : 1, 255) };
}

export function applyHopChange(old: number, change: HopChange): number {
	if (change.mode === 'set') return change.value;
	return Math.max(0, Math.min(255, change.mode === 'inc' ? old + change.value : old - change.value));
}

/** TTL rewrites the IPv4 time to live and lets the packet go on. */
export const TTL: TargetExtension<HopChange> = {
	name: 'TTL',
	reads: {},
	tables: ['mangle'],
	parse(uses, ctx) {
		if (ctx.family !== 4) ctx.fail(ctx.anchor, 'TTL is IPv4-only: ip6tables uses HL (--hl-set, --hl-dec, --hl-inc)');
		return parseHopChange(uses, ctx, 'TTL', 'ttl');
	},
	apply(change, packet, env) {
		const next = applyHopChange(packet.ttl, change);
		if (next !== packet.ttl) env.rewrite(`TTL ${packet.ttl} → ${next}`, (p) => { p.ttl = next; });
		return { kind: 'continue' };
	},
};
