import type { TargetExtension } from '../extension.js';
import { targetOptions } from './target-options.js';

export interface ClassifyOptions {
	readonly major: number;
	readonly minor: number;
}

const hex4 = (n: number) => n.toString(16).padStart(4, '0');

/**
 * CLASSIFY sets the packet's priority (skb->priority) to a tc class MAJOR:MINOR, then lets it go on. The
 * kernel accepts it only in the OUTPUT, FORWARD and POSTROUTING hooks (any table); the parser cannot see the
 * chain, so that is not checked here. The priority is not part of netsleuth's packet: the rewrite names it.
 */
export const CLASSIFY: TargetExtension<ClassifyOptions> = {
	name: 'CLASSIFY',
	reads: {},
	parse(uses, ctx) {
		const use = targetOptions(uses, ctx, 'CLASSIFY', ['--set-class']).get('--set-class');
		if (!use) return ctx.fail(ctx.anchor, 'CLASSIFY needs --set-class MAJOR:MINOR');
		const token = ctx.arg(use, 'MAJOR:MINOR (hexadecimal)');
		// iptables reads it with sscanf("%x:%x"): always hexadecimal, 0x allowed, anything after the minor ignored.
		const m = /^\s*(?:0x)?([0-9a-f]+):\s*(?:0x)?([0-9a-f]+)(.*)$/i.exec(token.text);
		if (!m) return ctx.fail(token, `bad class "${token.text}": expected MAJOR:MINOR in hexadecimal, e.g. 1:10`);
		if (m[3]) ctx.warn(token, `"${m[3]}" after the class is ignored by iptables`);
		const major = parseInt(m[1]!, 16);
		const minor = parseInt(m[2]!, 16);
		if (major > 0xffff || minor > 0xffff) ctx.warn(token, `MAJOR and MINOR are 16 bits each: iptables keeps ${hex4(major & 0xffff)}:${hex4(minor & 0xffff)}`);
		return { major: major & 0xffff, minor: minor & 0xffff };
	},
	apply(o, _packet, env) {
		env.rewrite(`priority (tc class) → ${hex4(o.major)}:${hex4(o.minor)}`, () => {});
		return { kind: 'continue' };
	},
};
