import type { Reads } from './extension.js';
import { quickExactDestination } from './parse.js';
import { targetExtension } from './registry.js';
import type { MatchUse, Rule, Ruleset } from './ruleset.js';

const byMatch = new WeakMap<MatchUse, Reads>();

/** What a match as written reads beyond every decision's fields (an unknown module: nothing, it is assumed to match). */
export function readsOf(match: MatchUse): Reads {
	let reads = byMatch.get(match);
	if (reads === undefined) {
		const declared = match.extension?.reads ?? {};
		reads = typeof declared === 'function' ? declared(match.uses) : declared;
		byMatch.set(match, reads);
	}
	return reads;
}

/** Modules whose reads the words of a line tell without building the rule: the ports (tcp, udp) and statistic's mode. */
const TOLD_BY_WORDS = new Set(['comment', 'tcp', 'udp', 'statistic']);

/** The line has a word that is --sport or --source-port, or may abbreviate one. */
function namesSourcePort(text: string): boolean {
	for (let at = text.indexOf(' --s'); at >= 0; at = text.indexOf(' --s', at + 4)) {
		const end = text.indexOf(' ', at + 1);
		const word = text.slice(at + 1, end < 0 ? undefined : end);
		if ('--sport'.startsWith(word) || '--source-port'.startsWith(word)) return true;
	}
	return false;
}

/**
 * The reads of a rule the parser has not built yet (parse.ts builds the quick reader's lines when first
 * looked at), from its words when its modules are those above; undefined when it must be built to tell.
 * Conservative: a word inside a comment can only add reads.
 */
function readsOfLine(rule: Rule): Reads[] | undefined {
	const text = rule.text;
	for (let at = text.indexOf(' -m '); at >= 0; at = text.indexOf(' -m ', at + 4)) {
		const end = text.indexOf(' ', at + 4);
		if (!TOLD_BY_WORDS.has(text.slice(at + 4, end < 0 ? undefined : end))) return undefined;
	}
	const reads: Reads[] = [];
	if (namesSourcePort(text)) reads.push({ sport: true });
	if (text.includes(' -m statistic') && !text.includes(' random')) reads.push({ state: true });
	const jump = /(?:^| )-[jg] (\S+)/.exec(text);
	const target = jump ? targetExtension(jump[1]!) : undefined;
	if (target) reads.push(target.reads);
	return reads;
}

/** Everything the rules of these rulesets read beyond every decision's fields: the decision memo's key (source/trace/decision-key.ts). */
export function rulesetReads(rulesets: readonly (Ruleset | undefined)[]): Reads {
	const all: Reads[] = [];
	for (const ruleset of rulesets) {
		if (!ruleset) continue;
		for (const table of ruleset.tables.values()) {
			for (const chain of table.chains.values()) {
				for (const rule of chain.rules) {
					const told = quickExactDestination(rule) === undefined ? undefined : readsOfLine(rule);
					if (told) {
						all.push(...told);
						continue;
					}
					for (const match of rule.matches) all.push(readsOf(match));
					if (rule.target?.extension) all.push(rule.target.extension.reads);
				}
			}
		}
	}
	const any = (field: keyof Reads) => all.some((r) => r[field] === true);
	const union: { -readonly [K in keyof Reads]: true } = {};
	for (const field of ['sport', 'length', 'payload', 'tuple', 'state'] as const) if (any(field)) union[field] = true;
	return union;
}
