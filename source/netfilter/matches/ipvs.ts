import { parseCidr } from '../../packet/address.js';
import { PROTOCOL_NUMBERS } from '../../packet/packet.js';
import type { MatchExtension } from '../extension.js';
import { assumeThat, readOptions } from './extension-kit.js';

export interface IpvsOptions {
	/** --ipvs given alone, and whether negated: the only test a packet outside IPVS can pass. */
	readonly property?: { readonly negated: boolean };
	/** Other options, as written: they need an IPVS connection. */
	readonly others: readonly string[];
}

/**
 * -m ipvs: properties of the IPVS (kernel load balancer) connection of the packet (xt_ipvs). IPVS is
 * not modelled: the packet is assumed not to belong to an IPVS connection.
 */
export const ipvs: MatchExtension<IpvsOptions> = {
	name: 'ipvs',
	reads: {},
	parse(uses, ctx) {
		let property: { negated: boolean } | undefined;
		const others: string[] = [];
		for (const use of readOptions('ipvs', uses, ctx, {
			'--ipvs': { args: 0, negatable: true },
			'--vproto': { args: 1, negatable: true },
			'--vaddr': { args: 1, negatable: true },
			'--vport': { args: 1, negatable: true },
			'--vdir': { args: 1 },
			'--vmethod': { args: 1, negatable: true },
			'--vportctl': { args: 1, negatable: true },
		})) {
			const token = use.args[0];
			switch (use.name) {
				case '--ipvs': property = { negated: use.negated }; continue;
				case '--vproto':
					if (!/^\d+$/.test(token!.text) && PROTOCOL_NUMBERS[token!.text.toLowerCase()] === undefined) ctx.fail(token!, `unknown protocol "${token!.text}"`);
					break;
				case '--vaddr':
					if (!parseCidr(token!.text)) ctx.fail(token!, `expected an address[/mask], got "${token!.text}"`);
					break;
				case '--vport': case '--vportctl': ctx.integer(token!, 'a port', 0, 65535); break;
				case '--vdir':
					if (token!.text !== 'ORIGINAL' && token!.text !== 'REPLY') ctx.fail(token!, `expected ORIGINAL or REPLY, got "${token!.text}"`);
					break;
				case '--vmethod':
					if (!['GATE', 'IPIP', 'MASQ'].includes(token!.text)) ctx.fail(token!, `expected GATE, IPIP or MASQ, got "${token!.text}"`);
					break;
			}
			others.push(`${use.negated ? '! ' : ''}${use.name}${token ? ` ${token.text}` : ''}`);
		}
		if (!property && !others.length) ctx.fail(ctx.anchor, 'ipvs match needs at least one option');
		return { property, others };
	},
	evaluate(o, _packet, env) {
		const statement = 'IPVS is not modelled: the packet is assumed not to belong to an IPVS connection';
		if (o.property && !o.property.negated) return assumeThat(env, statement, false, 'the packet is assumed not to be IPVS traffic (--ipvs)');
		if (o.others.length) return assumeThat(env, statement, false, `${o.others.join(' ')} needs an IPVS connection (assumed none)`);
		return assumeThat(env, statement, true, '');
	},
};
