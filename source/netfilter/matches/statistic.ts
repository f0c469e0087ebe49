import { mix32 } from '../../packet/hash.js';
import type { MatchExtension } from '../extension.js';
import type { Token } from '../tokens.js';
import { readOptions, textHash } from './extension-kit.js';

export type StatisticOptions =
	| { readonly mode: 'random'; readonly probability: number; readonly text: string; readonly negated: boolean }
	| { readonly mode: 'nth'; readonly every: number; readonly packet: number; readonly negated: boolean };

/** What a branch not taken says when no reason is read (EvalEnv.quiet). */
const NOT_TAKEN = 'branch not taken';

/**
 * -m statistic (xt_statistic). Random mode draws from the flow hash, salted by the probability as written,
 * so one flow always takes the same branch and the trace records the branch and its probability. Nth mode
 * depends on a packet counter netsleuth does not have: the counter is likewise derived from the flow hash,
 * and said so.
 */
export const statistic: MatchExtension<StatisticOptions> = {
	name: 'statistic',
	// Random mode reads the flow hash (the memo sees that as it happens); nth mode stands for a packet counter.
	reads: (uses) => (uses.some((use) => '--mode'.startsWith(use.name) && use.args[0]?.text === 'random') ? {} : { state: true }),
	parse(uses, ctx) {
		let mode: 'random' | 'nth' | undefined;
		let probability: { value: number; text: string; negated: boolean; token: Token } | undefined;
		let every: { value: number; negated: boolean; token: Token } | undefined;
		let packet: { value: number; token: Token } | undefined;
		for (const use of readOptions('statistic', uses, ctx, {
			'--mode': { args: 1 },
			'--probability': { args: 1, negatable: true },
			'--every': { args: 1, negatable: true },
			'--packet': { args: 1 },
		})) {
			const token = use.args[0]!;
			switch (use.name) {
				case '--mode':
					if (token.text !== 'random' && token.text !== 'nth') ctx.fail(token, `expected random or nth, got "${token.text}"`);
					mode = token.text as 'random' | 'nth';
					break;
				case '--probability': {
					const value = /^(\d+(\.\d*)?|\.\d+)(e-?\d+)?$/i.test(token.text) ? Number(token.text) : NaN;
					if (!(value >= 0 && value <= 1)) ctx.fail(token, `expected a probability between 0 and 1, got "${token.text}"`);
					probability = { value, text: token.text, negated: use.negated, token: use.token };
					break;
				}
				case '--every':
					every = { value: ctx.integer(token, 'a packet count', 1, 0xffffffff), negated: use.negated, token: use.token };
					break;
				default:
					packet = { value: ctx.integer(token, 'a packet number', 0, 0xffffffff), token: use.token };
			}
		}
		const m = ctx.require(mode, 'statistic match needs --mode random|nth');
		if (m === 'random') {
			if (every) ctx.fail(every.token, '--every is only for --mode nth');
			if (packet) ctx.fail(packet.token, '--packet is only for --mode nth');
			const p = ctx.require(probability, 'statistic --mode random needs --probability');
			return { mode: m, probability: p.value, text: p.text, negated: p.negated };
		}
		if (probability) ctx.fail(probability.token, '--probability is only for --mode random');
		const e = ctx.require(every, 'statistic --mode nth needs --every');
		if (packet && packet.value >= e.value) ctx.fail(packet.token, `--packet must be below --every ${e.value}`);
		return { mode: m, every: e.value, packet: packet?.value ?? 0, negated: e.negated };
	},
	evaluate(o, _packet, env) {
		if (o.mode === 'random') {
			const drawn = mix32(env.flowHash ^ textHash(o.text)) / 2 ** 32;
			const taken = drawn < o.probability;
			const matches = taken !== o.negated;
			const chance = o.negated ? 1 - o.probability : o.probability;
			env.branch(chance, matches);
			if (env.quiet) return matches ? null : NOT_TAKEN;
			env.assume(`-m statistic --mode random: matches with probability ${+chance.toFixed(6)}; this flow ${matches ? 'takes' : 'skips'} the branch (drawn ${drawn.toFixed(4)} from the flow hash; other flows may differ)`);
			if (matches) return null;
			return `random draw ${drawn.toFixed(4)} is ${taken ? 'below' : 'not below'} ${o.probability}${o.negated ? ' (negated)' : ''}: branch not taken`;
		}
		const counter = mix32(env.flowHash ^ textHash(`nth ${o.every} ${o.packet}`)) % o.every;
		const matches = (counter === o.packet) !== o.negated;
		env.branch(o.negated ? 1 - 1 / o.every : 1 / o.every, matches);
		if (env.quiet) return matches ? null : NOT_TAKEN;
		env.assume(`-m statistic --mode nth --every ${o.every}: the rule's packet counter is unknown; assumed ${counter} (from the flow hash), so the packet ${matches ? 'matches' : 'does not match'}`);
		if (matches) return null;
		return `packet counter ${counter} (assumed) ${o.negated ? 'is' : 'is not'} ${o.packet} of every ${o.every}`;
	},
};
