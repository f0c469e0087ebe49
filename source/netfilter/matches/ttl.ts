import type { MatchExtension, OptionUse, ParseContext } from '../extension.js';
import { type OptionSpec, readOptions } from './extension-kit.js';

export interface HopOptions {
	readonly op: 'eq' | 'ne' | 'lt' | 'gt';
	readonly value: number;
}

const WORDS = { eq: 'is not', ne: 'is', lt: 'is not below', gt: 'is not above' } as const;

/** The comparison shared by -m ttl (IPv4) and -m hl (IPv6): one of -eq, -lt, -gt; only -eq negates. */
export function parseHop(extension: 'ttl' | 'hl', uses: readonly OptionUse[], ctx: ParseContext): HopOptions {
	const prefix = `--${extension}`;
	let options: HopOptions | undefined;
	const specs: Record<string, OptionSpec> = {
		[`${prefix}-eq`]: { args: 1, negatable: true },
		[`${prefix}-lt`]: { args: 1 },
		[`${prefix}-gt`]: { args: 1 },
	};
	// iptables 1.2's ipt_ttl took --ttl for --ttl-eq, and libipt_ttl kept it "for compatibility".
	if (extension === 'ttl') specs['--ttl'] = { args: 1, negatable: true };
	for (const use of readOptions(extension, uses, ctx, specs)) {
		if (options) ctx.fail(use.token, `${extension} takes one of ${prefix}-eq, ${prefix}-lt, ${prefix}-gt`);
		if (use.name === '--ttl') ctx.warn(use.token, 'old option --ttl: write --ttl-eq');
		const which = (use.name === '--ttl' ? 'eq' : use.name.slice(prefix.length + 1)) as 'eq' | 'lt' | 'gt';
		options = { op: which === 'eq' && use.negated ? 'ne' : which, value: ctx.integer(use.args[0]!, `a ${extension === 'ttl' ? 'TTL' : 'hop limit'}`, 0, 255) };
	}
	return ctx.require(options, `${extension} match needs ${prefix}-eq, ${prefix}-lt or ${prefix}-gt`);
}

export function checkHop(o: HopOptions, actual: number, what: string): string | null {
	const holds = o.op === 'eq' ? actual === o.value : o.op === 'ne' ? actual !== o.value : o.op === 'lt' ? actual < o.value : actual > o.value;
	return holds ? null : `${what} ${actual} ${WORDS[o.op]} ${o.value}`;
}

/** -m ttl: the IPv4 time-to-live compared with a value (ipt_ttl). */
export const ttl: MatchExtension<HopOptions> = {
	name: 'ttl',
	reads: {},
	parse(uses, ctx) {
		if (ctx.family !== 4) ctx.fail(ctx.anchor, 'ttl is an IPv4 match: ip6tables uses -m hl');
		return parseHop('ttl', uses, ctx);
	},
	evaluate: (o, packet) => (packet.family === 4 ? checkHop(o, packet.ttl, 'TTL') : 'not an IPv4 packet'),
};
