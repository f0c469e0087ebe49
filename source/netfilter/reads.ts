import { type MatchExtension, type OptionUse, readBits, type TargetExtension } from './extension.js';

const ofTarget = new WeakMap<TargetExtension, number>();

/** What a match as written reads beyond every decision's fields, as READ_BITS (an unknown module: nothing, it is assumed to match). */
export function matchReads(extension: MatchExtension | undefined, uses: readonly OptionUse[]): number {
	const declared = extension?.reads ?? {};
	return readBits(typeof declared === 'function' ? declared(uses) : declared);
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
