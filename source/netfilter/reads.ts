import { type Reads, readBits, type TargetExtension } from './extension.js';
import type { MatchUse } from './ruleset.js';

const ofMatch = new WeakMap<MatchUse, number>();
const ofTarget = new WeakMap<TargetExtension, number>();

/** What a match as written reads beyond every decision's fields, as READ_BITS (an unknown module: nothing, it is assumed to match). */
export function matchReads(match: MatchUse): number {
	let bits = ofMatch.get(match);
	if (bits === undefined) {
		const declared: Reads | ((uses: MatchUse['uses']) => Reads) = match.extension?.reads ?? {};
		bits = readBits(typeof declared === 'function' ? declared(match.uses) : declared);
		ofMatch.set(match, bits);
	}
	return bits;
}

/** What a target reads beyond every decision's fields, as READ_BITS. */
export function targetReads(target: TargetExtension): number {
	let bits = ofTarget.get(target);
	if (bits === undefined) {
		bits = readBits(target.reads);
		ofTarget.set(target, bits);
	}
	return bits;
}
