import type { MatchExtension } from '../extension.js';
import { assumeThat, readOptions } from './extension-kit.js';
import { parseRate, type Rate } from './limit.js';

const MODES = ['srcip', 'srcport', 'dstip', 'dstport'];

export interface HashlimitOptions {
	readonly name: string;
	/** upto: matches while under the rate; above: matches once over it. */
	readonly kind: 'upto' | 'above';
	readonly rate: Rate;
	readonly burst: number;
	readonly mode: readonly string[];
	readonly srcmask?: number;
	readonly dstmask?: number;
	readonly rateMatch: boolean;
}

/** libxt_hashlimit's XT_HASHLIMIT_SCALE_v2. */
const HASHLIMIT_SCALE = 1000000;

/**
 * -m hashlimit: a token bucket per group of packets (per source, destination, ports …; xt_hashlimit).
 * Earlier packets are unknown: the packet's group is assumed under its rate, and said so.
 */
export const hashlimit: MatchExtension<HashlimitOptions> = {
	name: 'hashlimit',
	reads: { state: true },
	parse(uses, ctx) {
		let kind: 'upto' | 'above' | undefined;
		let rate: Rate | undefined;
		let name: string | undefined;
		let burst = 5;
		let mode: string[] = [];
		let srcmask: number | undefined;
		let dstmask: number | undefined;
		let rateMatch = false;
		const bits = ctx.family === 4 ? 32 : 128;
		for (const use of readOptions('hashlimit', uses, ctx, {
			'--hashlimit-upto': { args: 1, negatable: true },
			'--hashlimit-above': { args: 1, negatable: true },
			'--hashlimit': { args: 1, negatable: true },
			'--hashlimit-burst': { args: 1 },
			'--hashlimit-mode': { args: 1 },
			'--hashlimit-srcmask': { args: 1 },
			'--hashlimit-dstmask': { args: 1 },
			'--hashlimit-name': { args: 1 },
			'--hashlimit-htable-size': { args: 1 },
			'--hashlimit-htable-max': { args: 1 },
			'--hashlimit-htable-gcinterval': { args: 1 },
			'--hashlimit-htable-expire': { args: 1 },
			'--hashlimit-rate-match': { args: 0 },
			'--hashlimit-rate-interval': { args: 1 },
		})) {
			const token = use.args[0]!;
			switch (use.name) {
				case '--hashlimit':
				case '--hashlimit-upto':
				case '--hashlimit-above': {
					if (use.name === '--hashlimit') ctx.warn(use.token, 'old option --hashlimit: write --hashlimit-upto');
					if (kind) ctx.fail(use.token, 'hashlimit takes one of --hashlimit-upto and --hashlimit-above');
					const above = use.name === '--hashlimit-above';
					kind = above !== use.negated ? 'above' : 'upto';
					rate = parseRate(token, ctx, HASHLIMIT_SCALE, true);
					break;
				}
				case '--hashlimit-burst': {
					const m = /^(\d+)(b|kb|mb)?$/i.exec(token.text) ?? ctx.fail(token, `expected a burst size, got "${token.text}"`);
					burst = Number(m[1]) * (m[2] ? { b: 1, kb: 1024, mb: 1048576 }[m[2].toLowerCase() as 'b']! : 1);
					if (burst < 1 || (!m[2] && burst > 1000000)) ctx.fail(token, `burst ${token.text} is out of range (1–1000000)`);
					break;
				}
				case '--hashlimit-mode':
					mode = token.text.split(',');
					for (const m of mode) if (!MODES.includes(m)) ctx.fail(token, `unknown hashlimit mode "${m}": expected ${MODES.join(', ')}`);
					break;
				case '--hashlimit-srcmask': srcmask = ctx.integer(token, 'a prefix length', 0, bits); break;
				case '--hashlimit-dstmask': dstmask = ctx.integer(token, 'a prefix length', 0, bits); break;
				case '--hashlimit-name':
					if (token.text.length === 0 || token.text.length > 255) ctx.fail(token, 'a hashlimit name has 1 to 255 characters');
					name = token.text;
					break;
				case '--hashlimit-rate-match': rateMatch = true; break;
				default: ctx.integer(token, use.name.slice(2), 0, 0xffffffff);
			}
		}
		const r = ctx.require(rate, 'hashlimit needs --hashlimit-upto or --hashlimit-above');
		const n = ctx.require(name, 'hashlimit needs --hashlimit-name');
		return { name: n, kind: kind!, rate: r, burst, mode, srcmask, dstmask, rateMatch };
	},
	evaluate(o, _packet, env) {
		const per = o.mode.length ? ` per ${o.mode.join(',')}${o.srcmask !== undefined ? ` (source /${o.srcmask})` : ''}${o.dstmask !== undefined ? ` (destination /${o.dstmask})` : ''}` : '';
		return assumeThat(
			env,
			`-m hashlimit ${o.name}: earlier packets are unknown, so the rate${per} is assumed below ${o.rate.text} (burst ${o.burst})`,
			o.kind === 'upto',
			`--hashlimit-above ${o.rate.text}: the rate is assumed below it`,
		);
	},
};
