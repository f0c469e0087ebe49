import { cidrContains, formatIp, ipEquals, parseCidr } from '../../packet/address.js';
import type { Packet } from '../../packet/packet.js';
import type { EvalEnv, MatchExtension } from '../extension.js';
import { readOptions } from './extension-kit.js';

export interface RpfilterOptions {
	readonly loose: boolean;
	readonly validmark: boolean;
	readonly acceptLocal: boolean;
	readonly invert: boolean;
}

const ZERONET = parseCidr('0.0.0.0/8')!;
const LOCAL_MULTICAST = parseCidr('224.0.0.0/24')!;

/** Whether the source passes the reverse-path test, and why; what needs the routing tables is assumed. */
function passes(o: RpfilterOptions, packet: Packet, env: EvalEnv): { pass: boolean; why: string } {
	if (packet.in === 'lo') return { pass: true, why: 'the packet arrived on the loopback interface' };
	const src = formatIp(packet.src);
	if (packet.family === 4 && cidrContains(ZERONET, packet.src) && (packet.dst.words[0] === 0xffffffff || cidrContains(LOCAL_MULTICAST, packet.dst))) {
		return { pass: true, why: `source ${src} to a broadcast or link-local multicast destination is always accepted (DHCP)` };
	}
	const local = env.host.addresses.find((a) => ipEquals(a.ip, packet.src));
	if (local) {
		if (!o.acceptLocal) return { pass: false, why: `source ${src} is an address of this host (--accept-local not given)` };
		if (o.loose || local.dev === packet.in) return { pass: true, why: `source ${src} is an address of this host on ${local.dev}, accepted by --accept-local` };
		return { pass: false, why: `source ${src} is an address of this host on ${local.dev}, not on the input interface ${packet.in ?? '(none)'}` };
	}
	const how = o.loose ? 'some route back to it exists (--loose)' : `the route back to it leaves through the input interface ${packet.in ?? '(none)'}`;
	env.assume(`reverse-path filter: the routing tables are not consulted for -m rpfilter; source ${src} is assumed to pass (${how}${o.validmark ? ', with the packet mark' : ''})`);
	return { pass: true, why: `source ${src} assumed to pass the reverse-path check` };
}

/** -m rpfilter: a reverse-path check of the source address by a route lookup (xt_rpfilter), raw/mangle PREROUTING only. */
export const rpfilter: MatchExtension<RpfilterOptions> = {
	name: 'rpfilter',
	reads: {},
	parse(uses, ctx) {
		const o = { loose: false, validmark: false, acceptLocal: false, invert: false };
		for (const use of readOptions('rpfilter', uses, ctx, {
			'--loose': { args: 0 },
			'--validmark': { args: 0 },
			'--accept-local': { args: 0 },
			'--invert': { args: 0 },
		})) {
			if (use.name === '--loose') o.loose = true;
			else if (use.name === '--validmark') o.validmark = true;
			else if (use.name === '--accept-local') o.acceptLocal = true;
			else o.invert = true;
		}
		if (ctx.table !== 'raw' && ctx.table !== 'mangle') ctx.fail(ctx.anchor, `rpfilter is only valid in the raw and mangle tables (here ${ctx.table})`);
		return o;
	},
	evaluate(o, packet, env) {
		if (env.hook !== 'PREROUTING') return `rpfilter is only valid in PREROUTING (here ${env.hook})`;
		const { pass, why } = passes(o, packet, env);
		if (pass !== o.invert) return null;
		return o.invert ? `${why}, and --invert matches only failures` : why;
	},
};
