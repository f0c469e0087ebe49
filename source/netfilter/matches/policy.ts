import { parseCidr } from '../../packet/address.js';
import type { MatchExtension } from '../extension.js';
import { readOptions } from './extension-kit.js';

export interface PolicyOptions {
	readonly dir: 'in' | 'out';
	readonly pol: 'none' | 'ipsec';
	readonly strict: boolean;
	/** The policy elements (--reqid, --spi, --proto, --mode, --tunnel-*) as written, one group per --next. */
	readonly elements: number;
}

/**
 * -m policy: the IPsec policy that decapsulated (--dir in) or will encapsulate (--dir out) the packet
 * (xt_policy). netsleuth models no IPsec, so every packet is taken to have policy "none", and says so.
 */
export const policy: MatchExtension<PolicyOptions> = {
	name: 'policy',
	reads: {},
	parse(uses, ctx) {
		let dir: 'in' | 'out' | undefined;
		let pol: 'none' | 'ipsec' | undefined;
		let strict = false;
		let elements = 0;
		let current = false;
		for (const use of readOptions('policy', uses, ctx, {
			'--dir': { args: 1 },
			'--pol': { args: 1 },
			'--strict': { args: 0 },
			'--reqid': { args: 1, negatable: true, repeatable: true },
			'--spi': { args: 1, negatable: true, repeatable: true },
			'--proto': { args: 1, negatable: true, repeatable: true },
			'--mode': { args: 1, negatable: true, repeatable: true },
			'--tunnel-src': { args: 1, negatable: true, repeatable: true },
			'--tunnel-dst': { args: 1, negatable: true, repeatable: true },
			'--next': { args: 0, repeatable: true },
		})) {
			const token = use.args[0];
			switch (use.name) {
				case '--dir':
					if (token!.text !== 'in' && token!.text !== 'out') ctx.fail(token!, `expected in or out, got "${token!.text}"`);
					dir = token!.text as 'in' | 'out';
					break;
				case '--pol':
					if (token!.text !== 'none' && token!.text !== 'ipsec') ctx.fail(token!, `expected none or ipsec, got "${token!.text}"`);
					pol = token!.text as 'none' | 'ipsec';
					break;
				case '--strict':
					strict = true;
					break;
				case '--next':
					if (!strict) ctx.fail(use.token, '--next only makes sense with --strict');
					if (!current) ctx.fail(use.token, '--next follows a policy element');
					current = false;
					break;
				default:
					if (use.name === '--reqid' || use.name === '--spi') ctx.integer(token!, use.name.slice(2), 0, 0xffffffff);
					else if (use.name === '--proto' && !['ah', 'esp', 'ipcomp', '51', '50', '108'].includes(token!.text.toLowerCase())) ctx.fail(token!, `expected ah, esp or ipcomp, got "${token!.text}"`);
					else if (use.name === '--mode' && token!.text !== 'tunnel' && token!.text !== 'transport') ctx.fail(token!, `expected tunnel or transport, got "${token!.text}"`);
					else if (use.name.startsWith('--tunnel-')) {
						const cidr = parseCidr(token!.text);
						if (!cidr || cidr.family !== ctx.family) ctx.fail(token!, `expected an IPv${ctx.family} address or network, got "${token!.text}"`);
					}
					if (!current) elements++;
					current = true;
			}
		}
		const direction = ctx.require(dir, 'policy match needs --dir in|out');
		const kind = ctx.require(pol, 'policy match needs --pol none|ipsec');
		if (kind === 'none' && (strict || elements > 0)) ctx.fail(ctx.anchor, 'policy match: --pol none takes no --strict and no policy elements');
		return { dir: direction, pol: kind, strict, elements };
	},
	evaluate(o, _packet, env) {
		if (o.dir === 'in' && (env.hook === 'OUTPUT' || env.hook === 'POSTROUTING')) return `--dir in is not valid in ${env.hook} (the kernel refuses the rule there)`;
		if (o.dir === 'out' && (env.hook === 'PREROUTING' || env.hook === 'INPUT')) return `--dir out is not valid in ${env.hook} (the kernel refuses the rule there)`;
		env.assume(`no IPsec is modelled: the packet is assumed to have ${o.dir === 'in' ? 'arrived without' : 'no'} IPsec ${o.dir === 'in' ? 'decapsulation' : 'policy to leave by'} (policy none)`);
		if (o.pol === 'none') return null;
		return `the packet has no IPsec policy (--dir ${o.dir}); --pol ipsec needs one`;
	},
};
