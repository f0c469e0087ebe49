import type { EvalEnv, MatchExtension, MatchVerdict, OptionUse, ParseContext } from '../extension.js';
import { readOptions } from './extension-kit.js';
import { hex } from './mark.js';

interface GroupCheck {
	readonly value?: number;
	readonly mask: number;
	/** A name from /etc/iproute2/group that netsleuth cannot resolve. */
	readonly name?: string;
	readonly negated: boolean;
	readonly text: string;
}

export interface DevgroupOptions {
	readonly src?: GroupCheck;
	readonly dst?: GroupCheck;
}

function parseGroup(use: OptionUse, ctx: ParseContext): GroupCheck {
	const token = use.args[0]!;
	const [value, mask] = token.text.split('/');
	const maskValue = mask === undefined ? 0xffffffff : ctx.integer({ ...token, text: mask }, 'a group mask');
	if (value === 'default') return { value: 0, mask: maskValue, negated: use.negated, text: token.text };
	if (/^(0x[0-9a-f]+|\d+)$/i.test(value!)) return { value: ctx.integer({ ...token, text: value! }, 'a device group'), mask: maskValue, negated: use.negated, text: token.text };
	if (!/^[\w.-]+$/.test(value!)) ctx.fail(token, `expected a device group number or name, got "${token.text}"`);
	ctx.warn(token, `device group "${value}" is named in the host's /etc/iproute2/group; netsleuth does not know its number`);
	return { name: value, mask: maskValue, negated: use.negated, text: token.text };
}

function check(g: GroupCheck, dev: string | undefined, what: 'input' | 'output', env: EvalEnv): MatchVerdict {
	if (dev === undefined) return `the packet has no ${what} interface here (${env.hook})`;
	let group = env.host.groups.get(dev);
	if (group === undefined) {
		env.assume(`the device group of ${dev} is not in the host state: assumed 0 (default)`);
		group = 0;
	}
	let equal: boolean;
	if (g.value === undefined) {
		env.assume(`device group "${g.name}" is unknown: ${dev}'s group ${group} is assumed not to be it`);
		equal = false;
	} else equal = ((group & g.mask) >>> 0) === ((g.value & g.mask) >>> 0);
	if (equal !== g.negated) return null;
	return `${what} interface ${dev} is in group ${group}${g.mask !== 0xffffffff ? ` (mask ${hex(g.mask)})` : ''}, ${g.negated ? 'which is excluded by' : 'not'} ${g.text}`;
}

/** -m devgroup: the device group of the input or output interface (xt_devgroup). */
export const devgroup: MatchExtension<DevgroupOptions> = {
	name: 'devgroup',
	reads: {},
	parse(uses, ctx) {
		const o: { src?: GroupCheck; dst?: GroupCheck } = {};
		for (const use of readOptions('devgroup', uses, ctx, {
			'--src-group': { args: 1, negatable: true },
			'--dst-group': { args: 1, negatable: true },
		})) {
			if (use.name === '--src-group') o.src = parseGroup(use, ctx);
			else o.dst = parseGroup(use, ctx);
		}
		if (!o.src && !o.dst) ctx.fail(ctx.anchor, 'devgroup needs --src-group or --dst-group');
		return o;
	},
	evaluate(o, packet, env) {
		if (o.src) {
			const why = check(o.src, packet.in, 'input', env);
			if (why) return why;
		}
		if (o.dst) return check(o.dst, packet.out, 'output', env);
		return null;
	},
};
