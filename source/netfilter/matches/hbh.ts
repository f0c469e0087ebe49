import type { MatchExtension, OptionUse, ParseContext } from '../extension.js';
import { readOptions } from './extension-kit.js';
import { describeUse, type HeaderOptions, noExtensionHeader } from './rt.js';

/** The shared options of hbh and dst: --X-len and --X-opts type[:length],… */
export function parseOptionsHeader(name: 'hbh' | 'dst', uses: readonly OptionUse[], ctx: ParseContext): HeaderOptions {
	if (ctx.family !== 6) ctx.fail(ctx.anchor, `${name} is an IPv6 match`);
	const conditions: string[] = [];
	for (const use of readOptions(name, uses, ctx, {
		[`--${name}-len`]: { args: 1, negatable: true },
		[`--${name}-opts`]: { args: 1 },
	})) {
		const token = use.args[0]!;
		if (use.name.endsWith('-len')) ctx.integer(token, 'a header length', 0, 0xffffffff);
		else {
			const items = token.text.split(',');
			if (items.length > 16) ctx.fail(token, 'at most 16 options');
			for (const item of items) if (!/^\d+(:\d+)?$/.test(item)) ctx.fail(token, `expected type[:length], got "${item}"`);
		}
		conditions.push(describeUse(use));
	}
	return { conditions };
}

/** -m hbh: the IPv6 hop-by-hop options header (ip6t_hbh). */
export const hbh: MatchExtension<HeaderOptions> = {
	name: 'hbh',
	reads: {},
	parse: (uses, ctx) => parseOptionsHeader('hbh', uses, ctx),
	evaluate: (_o, _packet, env) => noExtensionHeader('hop-by-hop options', env),
};
