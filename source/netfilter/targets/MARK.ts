import type { TargetExtension } from '../extension.js';
import { hex } from '../matches/mark.js';

/** new mark = (old & ~clear) ^ toggle: every MARK option reduces to this (as the kernel's xt_MARK does). */
export interface MarkChange {
	readonly clear: number;
	readonly toggle: number;
}

export function parseMarkChange(uses: readonly import('../extension.js').OptionUse[], ctx: import('../extension.js').ParseContext, extension: string): MarkChange | undefined {
	let change: MarkChange | undefined;
	for (const use of uses) {
		const known = ['--set-xmark', '--set-mark', '--and-mark', '--or-mark', '--xor-mark'];
		if (!known.includes(use.name)) continue;
		const token = ctx.arg(use, 'value[/mask]');
		const { value, mask } = ctx.valueMask(token, 'mark');
		const hasMask = token.text.includes('/');
		switch (use.name) {
			case '--set-xmark': change = { clear: mask, toggle: value }; break;
			case '--set-mark': change = { clear: hasMask ? (mask | value) >>> 0 : 0xffffffff, toggle: value }; break; // libxt_MARK clears value|mask
			case '--and-mark': change = { clear: ~value >>> 0, toggle: 0 }; break;
			case '--or-mark': change = { clear: value, toggle: value }; break;
			case '--xor-mark': change = { clear: 0, toggle: value }; break;
		}
		if (hasMask && ['--and-mark', '--or-mark', '--xor-mark'].includes(use.name)) ctx.fail(token, `${use.name} takes no mask (${extension})`);
	}
	return change;
}

export function applyMarkChange(mark: number, change: MarkChange): number {
	return ((mark & ~change.clear) ^ change.toggle) >>> 0;
}

export const MARK: TargetExtension<MarkChange> = {
	name: 'MARK',
	reads: {},
	parse(uses, ctx) {
		for (const use of uses) if (!['--set-xmark', '--set-mark', '--and-mark', '--or-mark', '--xor-mark'].includes(use.name)) ctx.unknown('MARK', use);
		return ctx.require(parseMarkChange(uses, ctx, 'MARK'), 'MARK needs --set-mark, --set-xmark, --and-mark, --or-mark or --xor-mark');
	},
	apply(change, packet, env) {
		const next = applyMarkChange(packet.mark, change);
		if (next !== packet.mark) env.rewrite(`mark ${hex(packet.mark)} → ${hex(next)}`, (p) => { p.mark = next; });
		return { kind: 'continue' };
	},
};
