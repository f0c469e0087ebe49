/**
 * Interfaces and bridges as iproute2 reports them: `ip -j -d link` (kinds and their details), `ip -j -d addr`
 * (addresses), `bridge -j -d link` (port states), `bridge -j fdb` (where each MAC is) and `bridge -j vlan`
 * (vlan filtering per port), `ip -j netns list-id` (names of peer namespaces). Pure: JSON in, model out.
 */

export type LinkKind =
	| 'physical' | 'loopback' | 'veth' | 'bridge' | 'vlan' | 'vxlan' | 'ipip' | 'gre' | 'gretap' | 'sit' | 'ip6tnl' | 'ip6gre'
	| 'tun' | 'tap' | 'dummy' | 'wireguard' | 'macvlan' | 'macvtap' | 'ipvlan' | 'ipvtap' | 'bond' | 'team' | 'vrf' | 'geneve'
	| 'openvswitch' | 'other';

export interface LinkAddress {
	readonly family: 4 | 6;
	readonly address: string;
	readonly prefix: number;
	readonly scope?: string;
	readonly peer?: string;
	readonly broadcast?: string;
	readonly label?: string;
	readonly secondary?: boolean;
}

export interface VethInfo {
	/** The peer's name when it is in the same namespace (ip prints `veth0@veth1`). */
	readonly peer?: string;
	/** The peer's ifindex (in its own namespace) when it is elsewhere (`veth0@if7`). */
	readonly peerIndex?: number;
	/** The namespace id of the peer as this namespace numbers it (`link-netnsid 0`). */
	readonly peerNetnsId?: number;
	/** The peer namespace's name, when `ip netns list-id` knew it. */
	readonly peerNetns?: string;
}

export interface VlanInfo {
	readonly id: number;
	readonly protocol: string;
	readonly parent?: string;
	readonly flags: readonly string[];
}

export interface VxlanInfo {
	readonly vni: number;
	readonly remote?: string;
	readonly group?: string;
	readonly local?: string;
	/** UDP destination port. */
	readonly port?: number;
	/** The underlay device. */
	readonly dev?: string;
	readonly learning?: boolean;
}

export interface TunnelInfo {
	readonly mode: string;
	readonly local?: string;
	readonly remote?: string;
	readonly ttl?: number | string;
	readonly dev?: string;
	readonly ikey?: string;
	readonly okey?: string;
}

export interface Link {
	readonly index?: number;
	readonly name: string;
	readonly kind: LinkKind;
	/** iproute2's `info_kind` as printed, when there was one. */
	readonly infoKind?: string;
	/** Administratively up (the UP flag). */
	readonly up: boolean;
	/** The carrier (LOWER_UP flag). */
	readonly lowerUp: boolean;
	/** `operstate`: UP, DOWN, UNKNOWN, LOWERLAYERDOWN … */
	readonly state: string;
	readonly flags: readonly string[];
	readonly mtu?: number;
	readonly mac?: string;
	readonly linkType?: string;
	readonly addresses: LinkAddress[];
	/** The bridge, bond or VRF this interface is enslaved to. */
	readonly master?: string;
	/** The lower device (`dev@parent`): a vlan's, macvlan's or tunnel's parent. */
	readonly parent?: string;
	readonly veth?: VethInfo;
	readonly vlan?: VlanInfo;
	readonly vxlan?: VxlanInfo;
	readonly tunnel?: TunnelInfo;
	readonly tuntap?: { readonly mode: 'tun' | 'tap'; readonly persist?: boolean; readonly pi?: boolean; readonly multiQueue?: boolean };
	readonly macvlan?: { readonly mode?: string; readonly parent?: string };
	readonly ipvlan?: { readonly mode?: string; readonly parent?: string };
	readonly bond?: { readonly mode?: string; readonly slaves: string[]; readonly activeSlave?: string; readonly miimon?: number };
	readonly bridge?: {
		readonly ports: string[];
		readonly vlanFiltering: boolean;
		readonly stp: boolean;
		readonly vlanProtocol?: string;
		/** The bridge's own nf_call_iptables / nf_call_ip6tables options (`ip link set BR type bridge nf_call_iptables 1`). */
		readonly nfCallIptables?: boolean;
		readonly nfCallIp6tables?: boolean;
	};
	/** This interface is a bond slave: its state (ACTIVE, BACKUP). */
	readonly bondSlaveState?: string;
}

export interface BridgeVlan {
	readonly id: number;
	/** Last id of a range (`bridge vlan` prints ranges as vlan … vlanEnd). */
	readonly end?: number;
	readonly pvid: boolean;
	readonly untagged: boolean;
}

export interface BridgePort {
	readonly name: string;
	/** forwarding, blocking, disabled, listening, learning (STP state), as bridge link prints it. */
	readonly state: string;
	readonly learning?: boolean;
	readonly flood?: boolean;
	readonly hairpin?: boolean;
	readonly isolated?: boolean;
	readonly cost?: number;
	readonly priority?: number;
	readonly vlans: BridgeVlan[];
	readonly pvid?: number;
}

export interface FdbEntry {
	readonly mac: string;
	/** The port the MAC is behind (or the bridge itself for its own addresses). */
	readonly port: string;
	readonly bridge?: string;
	readonly vlan?: number;
	/** permanent (the bridge's or a port's own address), static (added by hand), learned. */
	readonly state: 'permanent' | 'static' | 'learned' | 'other';
	/** The entry lives in the device itself (`self`), not in the bridge's table (`master`). */
	readonly self: boolean;
	/** vxlan: the remote VTEP for this MAC. */
	readonly dst?: string;
	readonly flags: readonly string[];
}

export interface Bridge {
	readonly name: string;
	readonly mac?: string;
	readonly up: boolean;
	readonly vlanFiltering: boolean;
	readonly stp: boolean;
	readonly ports: BridgePort[];
	/** The bridge's forwarding database: only entries of this bridge (master) or its own (self on the bridge). */
	readonly fdb: FdbEntry[];
	/** The bridge device's own vlans (`bridge vlan` on the bridge itself: what it hands up to the host). */
	readonly vlans: BridgeVlan[];
	/**
	 * The bridge's own br_netfilter switches (`ip -d link`: nf_call_iptables, nf_call_ip6tables): either one
	 * or the sysctl net.bridge.bridge-nf-call-iptables / -ip6tables sends its bridged frames through iptables.
	 */
	readonly nfCallIptables?: boolean;
	readonly nfCallIp6tables?: boolean;
	/** The bridge device is in promiscuous mode (PROMISC): it also takes up frames for unknown destinations. */
	readonly promisc?: boolean;
}

/** One entry of the neighbour table (`ip -j neigh`): which MAC an address on a link has. */
export interface Neighbour {
	readonly ip: string;
	readonly dev: string;
	readonly mac?: string;
	/** PERMANENT, REACHABLE, STALE, FAILED, INCOMPLETE … */
	readonly state: readonly string[];
}

export interface LinkModel {
	readonly links: Link[];
	readonly bridges: Bridge[];
	/** Things the input said that were not understood, one line each. */
	readonly warnings: string[];
}

export function findLink(model: LinkModel, name: string): Link | undefined {
	return model.links.find((link) => link.name === name);
}
