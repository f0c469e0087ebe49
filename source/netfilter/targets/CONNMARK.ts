import type { TargetExtension } from '../extension.js';
import { applyMarkChange, type MarkChange } from './MARK.js';
import { exclusive, hasConnection, hex, targetOptions } from './target-options.js';

/**
 * What xt_CONNMARK (revision 2) holds: a mode, the two masks, and an optional shift. Every option of
 * iptables' CONNMARK reduces to this, as libxt_CONNMARK does it, in the order written.
 */
export interface ConnmarkOptions {
	readonly mode: 'set' | 'save' | 'restore';
	/** set: ctmark = ((ctmark & ~ctmask) ^ ctmark_value) shifted. */
	readonly ctmark: number;
	readonly ctmask: number;
	readonly nfmask: number;
	readonly shift?: { readonly direction: 'left' | 'right'; readonly bits: number };
}

const OPERATIONS = ['--set-xmark', '--set-mark', '--and-mark', '--or-mark', '--xor-mark', '--save-mark', '--restore-mark'];
const OPTIONS = [...OPERATIONS, '--mask', '--nfmask', '--ctmask', '--left-shift-mark', '--right-shift-mark'];

function shifted(value: number, shift: ConnmarkOptions['shift']): number {
	if (!shift || shift.bits === 0) return value >>> 0;
	return (shift.direction === 'left' ? value << shift.bits : value >>> shift.bits) >>> 0;
}

/** The connection's new mark after a set, save or restore; also the packet's new mark (restore). */
export function connmarkResult(o: ConnmarkOptions, mark: number, ctmark: number): { mark: number; ctmark: number } {
	switch (o.mode) {
		case 'set': {
			const change: MarkChange = { clear: o.ctmask, toggle: o.ctmark };
			return { mark, ctmark: shifted(applyMarkChange(ctmark, change), o.shift) };
		}
		case 'save':
			return { mark, ctmark: ((ctmark & ~o.ctmask) ^ shifted(mark & o.nfmask, o.shift)) >>> 0 };
		case 'restore':
			return { mark: ((mark & ~o.nfmask) ^ shifted(ctmark & o.ctmask, o.shift)) >>> 0, ctmark };
	}
}

/**
 * CONNMARK sets, saves or restores the connection mark (ctmark), then lets the packet go on. A packet without
 * a connection (INVALID, UNTRACKED, or in the raw table before conntrack ran) is left alone, as the kernel does.
 * Checked on Linux 6.18 against -m mark / -m connmark counters.
 */
export const CONNMARK: TargetExtension<ConnmarkOptions> = {
	name: 'CONNMARK',
	reads: {},
	parse(uses, ctx) {
		const options = targetOptions(uses, ctx, 'CONNMARK', OPTIONS);
		exclusive(ctx, options, 'CONNMARK', OPERATIONS);
		exclusive(ctx, options, 'CONNMARK', ['--mask', '--nfmask']);
		exclusive(ctx, options, 'CONNMARK', ['--mask', '--ctmask']);
		let mode: ConnmarkOptions['mode'] | undefined;
		let ctmark = 0;
		let ctmask = 0xffffffff;
		let nfmask = 0xffffffff;
		let shift: ConnmarkOptions['shift'];
		const u32 = (use: import('../extension.js').OptionUse, what: string) => ctx.integer(ctx.arg(use, what), what, 0, 0xffffffff);
		for (const use of options.values()) {
			switch (use.name) {
				case '--set-xmark': case '--set-mark': {
					const { value, mask } = ctx.valueMask(ctx.arg(use, 'value[/mask]'), 'ctmark');
					mode = 'set';
					ctmark = value;
					// libxt_CONNMARK: --set-mark V/M clears V|M, so bits of V outside M are set too.
					ctmask = use.name === '--set-xmark' ? mask : (value | mask) >>> 0;
					break;
				}
				case '--and-mark': mode = 'set'; ctmark = 0; ctmask = ~u32(use, 'bits') >>> 0; break;
				case '--or-mark': mode = 'set'; ctmark = ctmask = u32(use, 'bits'); break;
				case '--xor-mark': mode = 'set'; ctmark = u32(use, 'bits'); ctmask = 0; break;
				case '--save-mark': ctx.noArgs(use); mode = 'save'; break;
				case '--restore-mark': ctx.noArgs(use); mode = 'restore'; break;
				case '--mask': nfmask = ctmask = u32(use, 'mask'); break;
				case '--nfmask': nfmask = u32(use, 'mask'); break;
				case '--ctmask': ctmask = u32(use, 'mask'); break;
				case '--left-shift-mark': case '--right-shift-mark': {
					const token = ctx.arg(use, 'a number of bits');
					shift = { direction: use.name === '--left-shift-mark' ? 'left' : 'right', bits: ctx.integer(token, 'shift', 0, 31) };
					break;
				}
			}
		}
		if (ctx.table === 'raw') ctx.warn(ctx.anchor, 'CONNMARK in the raw table: conntrack has not run yet, so it does nothing (except to packets looped back over lo, in PREROUTING)');
		if (!mode) return ctx.fail(ctx.anchor, 'CONNMARK target: no operation specified (--set-mark, --save-mark, --restore-mark, …)');
		return { mode, ctmark, ctmask, nfmask, ...(shift ? { shift } : {}) };
	},
	apply(o, packet, env) {
		if (!hasConnection(packet, env)) return { kind: 'continue' };
		const next = connmarkResult(o, packet.mark, packet.ctmark);
		if (next.ctmark !== packet.ctmark) env.rewrite(`ctmark ${hex(packet.ctmark)} → ${hex(next.ctmark)}`, (p) => { p.ctmark = next.ctmark; });
		if (next.mark !== packet.mark) env.rewrite(`mark ${hex(packet.mark)} → ${hex(next.mark)} (restored from ctmark)`, (p) => { p.mark = next.mark; });
		return { kind: 'continue' };
	},
};
