import { cidrContains, formatIp, parseCidr } from '../../packet/address.js';
import type { Packet } from '../../packet/packet.js';
import type { EvalEnv, MatchExtension } from '../extension.js';
import { ipv4AddressType } from './addrtype.js';
import { readOptions } from './extension-kit.js';

type PktType = 'unicast' | 'broadcast' | 'multicast';

/** The names libxt_pkttype accepts, aliases included. */
const NAMES: Readonly<Record<string, PktType>> = {
	unicast: 'unicast', host: 'unicast', broadcast: 'broadcast', bcast: 'broadcast', multicast: 'multicast', mcast: 'multicast',
};

const MULTICAST4 = parseCidr('224.0.0.0/4')!;
const MULTICAST6 = parseCidr('ff00::/8')!;

export interface PkttypeOptions {
	readonly type: PktType;
	readonly negated: boolean;
}

/**
 * The link-layer class of the packet (skb->pkt_type). Given with the packet, or read from the destination
 * MAC; a packet sent or forwarded by this host is PACKET_HOST (unicast); else derived from the destination
 * address, which is an assumption.
 */
export function packetType(packet: Packet, env: EvalEnv): PktType {
	if (packet.pktType) return packet.pktType;
	if (packet.local || env.hook === 'FORWARD' || env.hook === 'POSTROUTING') return 'unicast';
	if (packet.dstMac) {
		const mac = packet.dstMac.toLowerCase();
		if (mac === 'ff:ff:ff:ff:ff:ff') return 'broadcast';
		return (parseInt(mac.slice(0, 2), 16) & 1) === 1 ? 'multicast' : 'unicast';
	}
	let type: PktType = 'unicast';
	if (cidrContains(packet.family === 4 ? MULTICAST4 : MULTICAST6, packet.dst)) type = 'multicast';
	else if (packet.family === 4 && ipv4AddressType(packet.dst, env.host).type === 'BROADCAST') type = 'broadcast';
	env.assume(`the link-layer packet type is taken from the destination ${formatIp(packet.dst)}: ${type} (give the destination MAC to know it)`);
	return type;
}

/** -m pkttype: unicast, broadcast or multicast at the link layer (xt_pkttype). */
export const pkttype: MatchExtension<PkttypeOptions> = {
	name: 'pkttype',
	reads: {},
	parse(uses, ctx) {
		let options: PkttypeOptions | undefined;
		for (const use of readOptions('pkttype', uses, ctx, { '--pkt-type': { args: 1, negatable: true } })) {
			const token = use.args[0]!;
			const type = NAMES[token.text.toLowerCase()] ?? ctx.fail(token, `unknown packet type "${token.text}": expected unicast, broadcast or multicast`);
			options = { type, negated: use.negated };
		}
		return ctx.require(options, 'pkttype match needs --pkt-type');
	},
	evaluate(o, packet, env) {
		const type = packetType(packet, env);
		if ((type === o.type) !== o.negated) return null;
		return o.negated ? `the packet is ${type}, which ! --pkt-type ${o.type} excludes` : `the packet is ${type}, not ${o.type}`;
	},
};
