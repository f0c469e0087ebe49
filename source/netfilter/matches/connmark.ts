import type { MatchExtension } from '../extension.js';
import { readOptions } from './extension-kit.js';
import { hex, type MarkOptions } from './mark.js';

/** -m connmark: the connection's mark, masked, equals a value (xt_connmark). */
export const connmark: MatchExtension<MarkOptions> = {
	name: 'connmark',
	reads: {},
	parse(uses, ctx) {
		let options: MarkOptions | undefined;
		for (const use of readOptions('connmark', uses, ctx, { '--mark': { args: 1, negatable: true } })) {
			options = { ...ctx.valueMask(use.args[0]!, 'connmark'), negated: use.negated };
		}
		return ctx.require(options, 'connmark match needs --mark');
	},
	evaluate(o, packet) {
		// Without a connection there is no mark to read: the kernel answers false, whatever the negation.
		if (packet.ctState === 'UNTRACKED' || packet.ctState === 'INVALID') return `the packet has no connection (${packet.ctState}), so no connection mark`;
		const equal = ((packet.ctmark & o.mask) >>> 0) === o.value;
		if (equal !== o.negated) return null;
		return `connection mark ${hex(packet.ctmark)}${o.mask !== 0xffffffff ? ` & ${hex(o.mask)}` : ''} ${o.negated ? 'is' : 'is not'} ${hex(o.value)}`;
	},
};
