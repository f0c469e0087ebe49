import { formatIp, parseIp } from '../../packet/address.js';
import type { MatchExtension } from '../extension.js';
import { assumeThat, readOptions } from './extension-kit.js';

export interface RecentOptions {
	readonly name: string;
	readonly command: 'set' | 'rcheck' | 'update' | 'remove';
	readonly negated: boolean;
	readonly side: 'source' | 'destination';
	readonly seconds?: number;
	readonly hitcount?: number;
	readonly rttl: boolean;
	readonly reap: boolean;
	readonly mask?: string;
}

/** The kernel's default ip_pkt_list_tot: the most hits an entry remembers. */
const DEFAULT_PKT_LIST_TOT = 20;

/**
 * -m recent: lists of recently seen addresses (xt_recent). netsleuth traces one packet and keeps no lists:
 * each list is taken to be empty for the packet's address. So --set matches (adding the address, which is
 * not recorded), while --rcheck, --update and --remove do not match (the address was not seen) — and the
 * trace says so.
 */
export const recent: MatchExtension<RecentOptions> = {
	name: 'recent',
	reads: { state: true },
	parse(uses, ctx) {
		let name = 'DEFAULT';
		let command: { name: RecentOptions['command']; negated: boolean } | undefined;
		let side: 'source' | 'destination' | undefined;
		let seconds: number | undefined;
		let hitcount: number | undefined;
		let rttl = false;
		let reap = false;
		let mask: string | undefined;
		for (const use of readOptions('recent', uses, ctx, {
			'--name': { args: 1 },
			'--set': { args: 0, negatable: true },
			'--rcheck': { args: 0, negatable: true },
			'--update': { args: 0, negatable: true },
			'--remove': { args: 0, negatable: true },
			'--seconds': { args: 1 },
			'--reap': { args: 0 },
			'--hitcount': { args: 1 },
			'--rttl': { args: 0 },
			'--rsource': { args: 0 },
			'--rdest': { args: 0 },
			'--mask': { args: 1 },
		})) {
			const token = use.args[0];
			switch (use.name) {
				case '--name':
					if (token!.text.length === 0 || token!.text.length > 200) ctx.fail(token!, 'a recent list name has 1 to 200 characters');
					name = token!.text;
					break;
				case '--set': case '--rcheck': case '--update': case '--remove':
					if (command) ctx.fail(use.token, 'recent takes one of --set, --rcheck, --update and --remove');
					command = { name: use.name.slice(2) as RecentOptions['command'], negated: use.negated };
					break;
				case '--seconds': seconds = ctx.integer(token!, 'seconds', 1, 0xffffffff); break;
				case '--hitcount':
					hitcount = ctx.integer(token!, 'a hit count', 1, 0xffffffff);
					if (hitcount > DEFAULT_PKT_LIST_TOT) ctx.warn(token!, `--hitcount ${hitcount} exceeds the kernel's default ip_pkt_list_tot (${DEFAULT_PKT_LIST_TOT}): the kernel refuses the rule unless xt_recent was loaded with a larger one`);
					break;
				case '--reap': reap = true; break;
				case '--rttl': rttl = true; break;
				case '--rsource': case '--rdest': {
					const s = use.name === '--rsource' ? 'source' : 'destination';
					if (side && side !== s) ctx.fail(use.token, 'recent takes --rsource or --rdest, not both');
					side = s;
					break;
				}
				default: {
					const ip = parseIp(token!.text);
					if (!ip || ip.family !== ctx.family) ctx.fail(token!, `expected an IPv${ctx.family} netmask, got "${token!.text}"`);
					mask = formatIp(ip!);
				}
			}
		}
		const c = ctx.require(command, 'recent needs one of --set, --rcheck, --update or --remove');
		if (reap && seconds === undefined) ctx.fail(ctx.anchor, 'recent: --reap needs --seconds');
		if ((c.name === 'set' || c.name === 'remove') && (seconds !== undefined || hitcount !== undefined || rttl || reap)) {
			ctx.fail(ctx.anchor, `recent: --seconds, --hitcount, --rttl and --reap go with --rcheck or --update, not --${c.name}`);
		}
		return { name, command: c.name, negated: c.negated, side: side ?? 'source', seconds, hitcount, rttl, reap, mask };
	},
	evaluate(o, packet, env) {
		const address = formatIp(o.side === 'source' ? packet.src : packet.dst);
		const list = `recent list ${o.name}`;
		if (o.command === 'set') {
			return assumeThat(env, `${list}: --set adds ${o.side} ${address} (netsleuth does not record it for later packets)${o.negated ? '; ! --set does not match' : ''}`, !o.negated, `! --set never matches (${address} is added)`);
		}
		const window = [o.seconds !== undefined && `in the last ${o.seconds}s`, o.hitcount !== undefined && `${o.hitcount} times`].filter(Boolean).join(', ');
		return assumeThat(
			env,
			`${list}: netsleuth keeps no history, so ${o.side} ${address} is assumed not seen${window ? ` ${window}` : ''} (--${o.command} ${o.negated ? 'negated: matches' : 'does not match'})`,
			o.negated,
			`${o.side} ${address} is assumed not in ${list}${window ? ` (${window})` : ''}`,
		);
	},
};
