import { compareIp, formatIp, type Ip, parseIp } from '../../packet/address.js';
import type { MatchExtension, OptionUse, ParseContext } from '../extension.js';
import { readOptions } from './extension-kit.js';

export interface IpRange {
	readonly from: Ip;
	readonly to: Ip;
	readonly negated: boolean;
}

export interface IprangeOptions {
	readonly src?: IpRange;
	readonly dst?: IpRange;
}

function parseRange(use: OptionUse, ctx: ParseContext): IpRange {
	const token = use.args[0]!;
	const [fromText, toText, extra] = token.text.split('-');
	const from = parseIp(fromText ?? '');
	const to = toText === undefined ? from : parseIp(toText);
	if (extra !== undefined || !from || !to || from.family !== ctx.family || to.family !== ctx.family) {
		ctx.fail(token, `expected an IPv${ctx.family} address or range FROM-TO, got "${token.text}"`);
	}
	if (compareIp(from, to) > 0) ctx.warn(token, `range ${token.text} runs backwards: it matches no address`);
	return { from, to, negated: use.negated };
}

function describe(range: IpRange): string {
	return compareIp(range.from, range.to) === 0 ? formatIp(range.from) : `${formatIp(range.from)}-${formatIp(range.to)}`;
}

function check(range: IpRange, ip: Ip, what: string): string | null {
	const inside = compareIp(range.from, ip) <= 0 && compareIp(ip, range.to) <= 0;
	if (inside !== range.negated) return null;
	return `${what} ${formatIp(ip)} is ${inside ? '' : 'not '}in ${describe(range)}${range.negated ? ' (negated)' : ''}`;
}

/** -m iprange: the source or destination address lies in an inclusive range (xt_iprange). */
export const iprange: MatchExtension<IprangeOptions> = {
	name: 'iprange',
	reads: {},
	parse(uses, ctx) {
		const o: { src?: IpRange; dst?: IpRange } = {};
		for (const use of readOptions('iprange', uses, ctx, {
			'--src-range': { args: 1, negatable: true },
			'--dst-range': { args: 1, negatable: true },
		})) {
			if (use.name === '--src-range') o.src = parseRange(use, ctx);
			else o.dst = parseRange(use, ctx);
		}
		if (!o.src && !o.dst) ctx.fail(ctx.anchor, 'iprange needs --src-range or --dst-range');
		return o;
	},
	evaluate(o, packet) {
		if (o.src) {
			const why = check(o.src, packet.src, 'source');
			if (why) return why;
		}
		if (o.dst) return check(o.dst, packet.dst, 'destination');
		return null;
	},
};
