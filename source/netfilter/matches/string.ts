import type { MatchExtension, ParseContext } from '../extension.js';
import type { Token } from '../tokens.js';
import { readOptions } from './extension-kit.js';
import { packetBytes } from './u32.js';

export interface StringOptions {
	readonly algo: 'bm' | 'kmp';
	readonly from: number;
	readonly to: number;
	readonly pattern: Uint8Array;
	readonly icase: boolean;
	readonly negated: boolean;
	/** The pattern as written, for messages. */
	readonly text: string;
}

const MAX_PATTERN = 128;

/** libxt_string's --hex-string: text with |hex bytes| sections ("GET |2f|"), backslash quoting a character. */
export function parseHexString(token: Token, ctx: ParseContext): Uint8Array {
	const out: number[] = [];
	const text = token.text;
	let hex = false;
	for (let i = 0; i < text.length; i++) {
		const c = text[i]!;
		if (c === '|') {
			hex = !hex;
			continue;
		}
		if (hex) {
			if (c === ' ') continue;
			const pair = text.slice(i, i + 2);
			if (!/^[0-9a-f]{2}$/i.test(pair)) ctx.fail(token, `--hex-string: "${pair}" at character ${i + 1} is not a hex byte`);
			out.push(parseInt(pair, 16));
			i++;
		} else if (c === '\\' && i + 1 < text.length) {
			out.push(text.charCodeAt(++i) & 0xff);
		} else {
			for (const b of new TextEncoder().encode(c)) out.push(b);
		}
	}
	if (hex) ctx.fail(token, '--hex-string: a closing "|" is missing');
	return Uint8Array.from(out);
}

const lower = (b: number) => (b >= 0x41 && b <= 0x5a ? b + 32 : b);

/** -m string: a byte pattern somewhere between --from and --to, counted from the IP header (xt_string). */
export const string: MatchExtension<StringOptions> = {
	name: 'string',
	reads: { payload: true },
	parse(uses, ctx) {
		let algo: 'bm' | 'kmp' | undefined;
		let from = 0;
		let to = 65535;
		let pattern: { bytes: Uint8Array; negated: boolean; text: string } | undefined;
		let icase = false;
		for (const use of readOptions('string', uses, ctx, {
			'--algo': { args: 1 },
			'--from': { args: 1 },
			'--to': { args: 1 },
			'--string': { args: 1, negatable: true },
			'--hex-string': { args: 1, negatable: true },
			'--icase': { args: 0 },
		})) {
			const token = use.args[0]!;
			switch (use.name) {
				case '--algo':
					if (token.text !== 'bm' && token.text !== 'kmp') ctx.fail(token, `expected the algorithm bm or kmp, got "${token.text}"`);
					algo = token.text as 'bm' | 'kmp';
					break;
				case '--from': from = ctx.integer(token, 'an offset', 0, 65535); break;
				case '--to': to = ctx.integer(token, 'an offset', 0, 65535); break;
				case '--icase': icase = true; break;
				default: {
					if (pattern) ctx.fail(use.token, 'string takes one --string or --hex-string');
					const bytes = use.name === '--string' ? new TextEncoder().encode(token.text) : parseHexString(token, ctx);
					if (bytes.length === 0) ctx.fail(token, 'the pattern is empty');
					if (bytes.length > MAX_PATTERN) ctx.fail(token, `the pattern is ${bytes.length} bytes; at most ${MAX_PATTERN}`);
					pattern = { bytes, negated: use.negated, text: token.text };
				}
			}
		}
		const p = ctx.require(pattern, 'string match needs --string or --hex-string');
		let a = algo;
		if (!a) {
			// The string match of iptables before 1.3.4 had no --algo; iptables-restore now refuses the rule.
			ctx.warn(ctx.anchor, 'string match without --algo (old iptables syntax): iptables-restore refuses it; read as --algo bm');
			a = 'bm';
		}
		if (from > to) ctx.fail(ctx.anchor, `--from ${from} is after --to ${to}`);
		return { algo: a, from, to, pattern: p.bytes, icase, negated: p.negated, text: p.text };
	},
	evaluate(o, packet, env) {
		const view = packetBytes(packet);
		const n = o.pattern.length;
		const end = Math.min(o.to, view.total);
		const same = (a: number, b: number) => (o.icase ? lower(a) === lower(b) : a === b);
		let found = false;
		for (let i = o.from; i + n <= end && !found; i++) {
			let all = true;
			for (let k = 0; k < n && all; k++) {
				const at = i + k;
				all = at < view.known.length && view.known[at] === 0xff && same(view.bytes[at]!, o.pattern[k]!);
			}
			found = all;
		}
		const where = o.from === 0 && o.to === 65535 ? '' : ` between offsets ${o.from} and ${o.to}`;
		if (!found && !view.payloadKnown) {
			env.assume(`the payload is unknown: the packet is assumed not to contain "${o.text}"${where}`);
			if (o.negated) return null;
			return `"${o.text}" assumed absent (the payload is unknown)`;
		}
		if (found !== o.negated) return null;
		return found ? `the packet contains "${o.text}"${where}, which is excluded` : `the packet does not contain "${o.text}"${where}`;
	},
};
