import type { Ip } from '../packet/address.js';

/** The groups the IPv6 stack joins on every interface itself: all-nodes (interface- and link-local). */
const ALL_NODES = [[0xff010000, 0, 0, 1], [0xff020000, 0, 0, 1]];
/** Joined on every interface while forwarding is on (dev_forward_change): all-routers. */
const ALL_ROUTERS = [[0xff010000, 0, 0, 2], [0xff020000, 0, 0, 2], [0xff050000, 0, 0, 2]];

const same = (a: readonly number[], b: readonly number[]) => a.every((w, i) => w === b[i]);

/**
 * ip6_mc_input delivers a multicast packet only for a group its interface joined (ipv6_chk_mcast_addr);
 * the others are freed before INPUT. The host state lists no memberships, so only the kernel's own are
 * known: all-nodes, the solicited-node group ff02::1:ffXX:XXXX of each of the interface's addresses
 * (addrconf_join_solict), and all-routers while forwarding. Groups programs join are not.
 */
export function joinedByKernel6(group: Ip, dev: string, addresses: readonly { readonly ip: Ip; readonly dev: string }[], forwarding: boolean): boolean {
	const g = group.words;
	if (ALL_NODES.some((w) => same(w, g)) || (forwarding && ALL_ROUTERS.some((w) => same(w, g)))) return true;
	const solicited = g[0] === 0xff020000 && g[1] === 0 && g[2] === 1 && g[3]! >>> 24 === 0xff;
	return solicited && addresses.some((a) => a.dev === dev && a.ip.family === 6 && (a.ip.words[3]! & 0xffffff) === (g[3]! & 0xffffff));
}
