import { parseJson } from '../views/json-input.js';
import type { Bridge, BridgePort, BridgeVlan, FdbEntry, Link, LinkAddress, LinkKind, LinkModel, Neighbour } from './model.js';

/**
 * Builds the interface and bridge model from iproute2's JSON. Every input is optional: `links` (`ip -j -d
 * link`) or, failing it, `addresses` (`ip -j -d addr`, which carries the same link details) name the
 * interfaces. A malformed document throws an Error whose message starts with the JSON path.
 */
export interface LinkInputs {
	readonly links?: unknown;
	readonly addresses?: unknown;
	readonly bridgeLinks?: unknown;
	readonly fdb?: unknown;
	readonly bridgeVlans?: unknown;
	readonly netnsIds?: unknown;
}

type Json = Record<string, unknown>;

function fail(path: string, message: string): never {
	throw new Error(`${path}: ${message}`);
}

function list(input: unknown, what: string): unknown[] {
	let value = input;
	if (typeof input === 'string') {
		if (input.trim() === '') return [];
		try {
			value = parseJson(input);
		} catch (error) {
			fail(what, (error as Error).message);
		}
	}
	if (value === undefined || value === null) return [];
	if (!Array.isArray(value)) fail(what, `expected a JSON array, got ${typeof value}`);
	return value;
}

function object(value: unknown, path: string): Json {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'expected an object');
	return value as Json;
}

const str = (o: Json | undefined, key: string): string | undefined => (typeof o?.[key] === 'string' ? (o[key] as string) : undefined);
const num = (o: Json | undefined, key: string): number | undefined => {
	const v = o?.[key];
	if (typeof v === 'number' && Number.isFinite(v)) return v;
	if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
	return undefined;
};
const bool = (o: Json | undefined, key: string): boolean | undefined => {
	const v = o?.[key];
	if (typeof v === 'boolean') return v;
	if (typeof v === 'number') return v !== 0;
	return undefined;
};
const strings = (o: Json | undefined, key: string): string[] => (Array.isArray(o?.[key]) ? (o[key] as unknown[]).filter((v): v is string => typeof v === 'string') : []);

const KINDS: Readonly<Record<string, LinkKind>> = {
	veth: 'veth', bridge: 'bridge', vlan: 'vlan', vxlan: 'vxlan', ipip: 'ipip', gre: 'gre', gretap: 'gretap', erspan: 'gretap',
	sit: 'sit', ip6tnl: 'ip6tnl', ip6gre: 'ip6gre', ip6gretap: 'ip6gre', dummy: 'dummy', wireguard: 'wireguard', macvlan: 'macvlan',
	macvtap: 'macvtap', ipvlan: 'ipvlan', ipvtap: 'ipvtap', bond: 'bond', team: 'team', vrf: 'vrf', geneve: 'geneve', openvswitch: 'openvswitch',
};

const TUNNELS = new Set<LinkKind>(['ipip', 'gre', 'gretap', 'sit', 'ip6tnl', 'ip6gre']);

function kindOf(o: Json, info: Json | undefined, data: Json | undefined): LinkKind {
	const infoKind = str(info, 'info_kind');
	if (infoKind === 'tun') return str(data, 'type') === 'tun' ? 'tun' : 'tap';
	if (infoKind) return KINDS[infoKind] ?? 'other';
	const type = str(o, 'link_type');
	if (type === 'loopback' || strings(o, 'flags').includes('LOOPBACK')) return 'loopback';
	if (type === 'ether' || type === undefined) return 'physical';
	return 'other';
}

function addressesOf(o: Json, path: string): LinkAddress[] {
	const info = o['addr_info'];
	if (info === undefined) return [];
	if (!Array.isArray(info)) fail(`${path}.addr_info`, 'expected an array');
	const out: LinkAddress[] = [];
	info.forEach((item, i) => {
		const a = object(item, `${path}.addr_info[${i}]`);
		const family = str(a, 'family');
		if (family !== 'inet' && family !== 'inet6') return;
		const address = str(a, 'local');
		if (address === undefined) fail(`${path}.addr_info[${i}].local`, 'missing');
		const peer = str(a, 'address');
		out.push({
			family: family === 'inet' ? 4 : 6,
			address,
			prefix: num(a, 'prefixlen') ?? (family === 'inet' ? 32 : 128),
			...(str(a, 'scope') !== undefined ? { scope: str(a, 'scope')! } : num(a, 'scope') !== undefined ? { scope: String(num(a, 'scope')) } : {}),
			...(peer !== undefined && peer !== address ? { peer } : {}),
			...(str(a, 'broadcast') !== undefined ? { broadcast: str(a, 'broadcast')! } : {}),
			...(str(a, 'label') !== undefined ? { label: str(a, 'label')! } : {}),
			...(a['secondary'] === true ? { secondary: true } : {}),
		});
	});
	return out;
}

function netnsNames(input: unknown): Map<number, string> {
	const names = new Map<number, string>();
	list(input, 'netns list-id').forEach((item, i) => {
		const o = object(item, `netns list-id[${i}]`);
		const id = num(o, 'nsid');
		const name = str(o, 'name');
		if (id !== undefined && name !== undefined) names.set(id, name);
	});
	return names;
}

function linkFrom(o: Json, path: string, addresses: LinkAddress[], nsNames: Map<number, string>): Link {
	const name = str(o, 'ifname');
	if (name === undefined) fail(`${path}.ifname`, 'missing');
	const info = o['linkinfo'] === undefined ? undefined : object(o['linkinfo'], `${path}.linkinfo`);
	const data = info?.['info_data'] === undefined ? undefined : object(info['info_data'], `${path}.linkinfo.info_data`);
	const kind = kindOf(o, info, data);
	const flags = strings(o, 'flags');
	const parent = str(o, 'link');
	const index = num(o, 'ifindex');
	const mtu = num(o, 'mtu');
	const mac = str(o, 'address');
	const linkType = str(o, 'link_type');
	const master = str(o, 'master');
	const infoKind = str(info, 'info_kind');
	const link: Record<string, unknown> = {
		...(index !== undefined ? { index } : {}),
		name,
		kind,
		...(infoKind !== undefined ? { infoKind } : {}),
		up: flags.includes('UP'),
		lowerUp: flags.includes('LOWER_UP'),
		state: str(o, 'operstate') ?? 'UNKNOWN',
		flags,
		...(mtu !== undefined ? { mtu } : {}),
		...(mac !== undefined ? { mac } : {}),
		...(linkType !== undefined ? { linkType } : {}),
		addresses,
		...(master !== undefined ? { master } : {}),
		...(parent !== undefined && kind !== 'veth' ? { parent } : {}),
	};
	if (kind === 'veth') {
		const peerIndex = num(o, 'link_index');
		const peerNetnsId = num(o, 'link_netnsid');
		// ip's text names the peer namespace (link-netns NAME) where its JSON gives only the id.
		const peerNetns = str(o, 'link_netns') ?? (peerNetnsId === undefined ? undefined : nsNames.get(peerNetnsId));
		link['veth'] = {
			...(parent !== undefined ? { peer: parent } : {}),
			...(peerIndex !== undefined ? { peerIndex } : {}),
			...(peerNetnsId !== undefined ? { peerNetnsId } : {}),
			...(peerNetns !== undefined ? { peerNetns } : {}),
		};
	} else if (kind === 'vlan') {
		const id = num(data, 'id');
		if (id === undefined) fail(`${path}.linkinfo.info_data.id`, 'a vlan needs its id');
		link['vlan'] = { id, protocol: str(data, 'protocol') ?? '802.1Q', ...(parent !== undefined ? { parent } : {}), flags: strings(data, 'flags') };
	} else if (kind === 'vxlan') {
		const vni = num(data, 'id');
		if (vni === undefined) fail(`${path}.linkinfo.info_data.id`, 'a vxlan needs its id (VNI)');
		const port = num(data, 'port');
		const learning = bool(data, 'learning');
		link['vxlan'] = {
			vni,
			...(str(data, 'remote') !== undefined ? { remote: str(data, 'remote')! } : {}),
			...(str(data, 'group') !== undefined ? { group: str(data, 'group')! } : {}),
			...(str(data, 'local') !== undefined ? { local: str(data, 'local')! } : {}),
			...(port !== undefined ? { port } : {}),
			...(str(data, 'link') !== undefined ? { dev: str(data, 'link')! } : {}),
			...(learning !== undefined ? { learning } : {}),
		};
	} else if (TUNNELS.has(kind)) {
		const ttl = data?.['ttl'];
		link['tunnel'] = {
			mode: infoKind ?? kind,
			...(str(data, 'local') !== undefined ? { local: str(data, 'local')! } : {}),
			...(str(data, 'remote') !== undefined ? { remote: str(data, 'remote')! } : {}),
			...(typeof ttl === 'number' || typeof ttl === 'string' ? { ttl } : {}),
			...(str(data, 'link') !== undefined ? { dev: str(data, 'link')! } : {}),
			...(str(data, 'ikey') !== undefined ? { ikey: str(data, 'ikey')! } : {}),
			...(str(data, 'okey') !== undefined ? { okey: str(data, 'okey')! } : {}),
		};
	} else if (kind === 'tun' || kind === 'tap') {
		link['tuntap'] = {
			mode: kind,
			...(bool(data, 'persist') !== undefined ? { persist: bool(data, 'persist') } : {}),
			...(bool(data, 'pi') !== undefined ? { pi: bool(data, 'pi') } : {}),
			...(bool(data, 'multi_queue') !== undefined ? { multiQueue: bool(data, 'multi_queue') } : {}),
		};
	} else if (kind === 'macvlan' || kind === 'macvtap') {
		link['macvlan'] = { ...(str(data, 'mode') !== undefined ? { mode: str(data, 'mode') } : {}), ...(parent !== undefined ? { parent } : {}) };
	} else if (kind === 'ipvlan' || kind === 'ipvtap') {
		link['ipvlan'] = { ...(str(data, 'mode') !== undefined ? { mode: str(data, 'mode') } : {}), ...(parent !== undefined ? { parent } : {}) };
	} else if (kind === 'bond') {
		const miimon = num(data, 'miimon');
		link['bond'] = {
			...(str(data, 'mode') !== undefined ? { mode: str(data, 'mode') } : {}),
			slaves: [],
			...(str(data, 'active_slave') !== undefined ? { activeSlave: str(data, 'active_slave') } : {}),
			...(miimon !== undefined ? { miimon } : {}),
		};
	} else if (kind === 'bridge') {
		const vlanProtocol = str(data, 'vlan_protocol');
		const nfCallIptables = bool(data, 'nf_call_iptables');
		const nfCallIp6tables = bool(data, 'nf_call_ip6tables');
		link['bridge'] = {
			ports: [], vlanFiltering: bool(data, 'vlan_filtering') ?? false, stp: (num(data, 'stp_state') ?? 0) !== 0, ...(vlanProtocol ? { vlanProtocol } : {}),
			...(nfCallIptables !== undefined ? { nfCallIptables } : {}), ...(nfCallIp6tables !== undefined ? { nfCallIp6tables } : {}),
		};
	}
	if (str(info, 'info_slave_kind') === 'bond') {
		const slave = info?.['info_slave_data'] === undefined ? undefined : object(info['info_slave_data'], `${path}.linkinfo.info_slave_data`);
		const state = str(slave, 'state');
		if (state !== undefined) link['bondSlaveState'] = state;
	}
	return link as unknown as Link;
}

/** `bridge -j vlan`: iproute2 ≥ 5.x prints [{ifname, vlans:[…]}], older versions {IFNAME: […]}. */
function vlansByPort(input: unknown): Map<string, BridgeVlan[]> {
	const byPort = new Map<string, BridgeVlan[]>();
	let value = input;
	if (typeof input === 'string') {
		if (input.trim() === '') return byPort;
		try {
			value = parseJson(input);
		} catch (error) {
			fail('bridge vlan', (error as Error).message);
		}
	}
	const read = (name: string, entries: unknown, path: string) => {
		if (!Array.isArray(entries)) fail(path, 'expected an array of vlans');
		byPort.set(name, entries.map((entry, i) => {
			const v = object(entry, `${path}[${i}]`);
			const id = num(v, 'vlan');
			if (id === undefined) fail(`${path}[${i}].vlan`, 'missing');
			const flags = strings(v, 'flags').map((f) => f.toLowerCase().replace(/\s+/g, ''));
			const end = num(v, 'vlanEnd');
			return { id, ...(end !== undefined ? { end } : {}), pvid: flags.includes('pvid'), untagged: flags.includes('egressuntagged') };
		}));
	};
	if (Array.isArray(value)) {
		value.forEach((item, i) => {
			const o = object(item, `bridge vlan[${i}]`);
			const name = str(o, 'ifname');
			if (name === undefined) fail(`bridge vlan[${i}].ifname`, 'missing');
			read(name, o['vlans'] ?? [], `bridge vlan[${i}].vlans`);
		});
	} else if (value !== undefined && value !== null) {
		for (const [name, entries] of Object.entries(object(value, 'bridge vlan'))) read(name, entries, `bridge vlan.${name}`);
	}
	return byPort;
}

function fdbEntries(input: unknown): FdbEntry[] {
	return list(input, 'bridge fdb').map((item, i) => {
		const o = object(item, `bridge fdb[${i}]`);
		const mac = str(o, 'mac');
		const port = str(o, 'ifname');
		if (mac === undefined) fail(`bridge fdb[${i}].mac`, 'missing');
		if (port === undefined) fail(`bridge fdb[${i}].ifname`, 'missing');
		const flags = strings(o, 'flags');
		const stateText = str(o, 'state') ?? '';
		const state = stateText === 'permanent' ? 'permanent' : stateText === 'static' ? 'static' : stateText === '' ? 'learned' : 'other';
		const vlan = num(o, 'vlan');
		const bridge = str(o, 'master');
		const dst = str(o, 'dst');
		return {
			mac, port, ...(bridge !== undefined ? { bridge } : {}), ...(vlan !== undefined ? { vlan } : {}), state, self: flags.includes('self'),
			...(dst !== undefined ? { dst } : {}), flags,
		} satisfies FdbEntry;
	});
}

export function buildLinks(inputs: LinkInputs): LinkModel {
	const warnings: string[] = [];
	const nsNames = inputs.netnsIds === undefined ? new Map<number, string>() : netnsNames(inputs.netnsIds);
	const addrObjects = list(inputs.addresses, 'ip addr').map((item, i) => object(item, `ip addr[${i}]`));
	const addrByName = new Map<string, LinkAddress[]>();
	addrObjects.forEach((o, i) => {
		const name = str(o, 'ifname');
		if (name !== undefined) addrByName.set(name, addressesOf(o, `ip addr[${i}]`));
	});
	const linkObjects = inputs.links === undefined ? addrObjects : list(inputs.links, 'ip link').map((item, i) => object(item, `ip link[${i}]`));
	const what = inputs.links === undefined ? 'ip addr' : 'ip link';
	const links = linkObjects.map((o, i) => linkFrom(o, `${what}[${i}]`, addrByName.get(str(o, 'ifname') ?? '') ?? addressesOf(o, `${what}[${i}]`), nsNames));
	const byName = new Map(links.map((link) => [link.name, link]));
	for (const link of links) {
		if (!link.master) continue;
		const master = byName.get(link.master);
		if (master?.bridge) master.bridge.ports.push(link.name);
		else if (master?.bond) master.bond.slaves.push(link.name);
		else if (!master) warnings.push(`${link.name}: its master ${link.master} is not among the interfaces`);
	}
	// bridge link: one entry per port with its STP state and flags; ip -d link's info_slave_data as a fallback.
	const portInfo = new Map<string, Json>();
	list(inputs.bridgeLinks, 'bridge link').forEach((item, i) => {
		const o = object(item, `bridge link[${i}]`);
		const name = str(o, 'ifname');
		if (name !== undefined) portInfo.set(name, o);
	});
	const slaveInfo = new Map<string, Json>();
	linkObjects.forEach((o) => {
		const info = o['linkinfo'] as Json | undefined;
		if (str(info, 'info_slave_kind') === 'bridge' && typeof info?.['info_slave_data'] === 'object') slaveInfo.set(str(o, 'ifname') ?? '', info['info_slave_data'] as Json);
	});
	const vlans = vlansByPort(inputs.bridgeVlans);
	const fdb = fdbEntries(inputs.fdb);
	const bridges: Bridge[] = links.filter((link) => link.bridge).map((link) => {
		const ports: BridgePort[] = link.bridge!.ports.map((name) => {
			const p = portInfo.get(name) ?? slaveInfo.get(name);
			const portVlans = vlans.get(name) ?? [];
			const pvid = portVlans.find((v) => v.pvid)?.id;
			const cost = num(p, 'cost');
			const priority = num(p, 'priority');
			const opt = (key: string, as: string) => (bool(p, key) !== undefined ? { [as]: bool(p, key) } : {});
			return {
				name,
				state: str(p, 'state') ?? (byName.get(name)?.up ? 'unknown' : 'disabled'),
				...opt('learning', 'learning'), ...opt('flood', 'flood'), ...opt('hairpin', 'hairpin'), ...opt('isolated', 'isolated'),
				...(cost !== undefined ? { cost } : {}), ...(priority !== undefined ? { priority } : {}),
				vlans: portVlans, ...(pvid !== undefined ? { pvid } : {}),
			};
		});
		return {
			name: link.name,
			...(link.mac ? { mac: link.mac } : {}),
			up: link.up,
			vlanFiltering: link.bridge!.vlanFiltering,
			stp: link.bridge!.stp,
			ports,
			// The bridge's own table (master), and where its vxlan ports send what they flood (self entries with a remote).
			fdb: fdb.filter((e) => e.bridge === link.name || (e.dst !== undefined && link.bridge!.ports.includes(e.port))),
			vlans: vlans.get(link.name) ?? [],
			...(link.bridge!.nfCallIptables !== undefined ? { nfCallIptables: link.bridge!.nfCallIptables } : {}),
			...(link.bridge!.nfCallIp6tables !== undefined ? { nfCallIp6tables: link.bridge!.nfCallIp6tables } : {}),
			...(link.flags.includes('PROMISC') ? { promisc: true } : {}),
		};
	});
	return { links, bridges, warnings };
}

/** `ip -j neigh` (both families): the neighbour table, entries without an address skipped. */
export function parseNeighbours(input: unknown): Neighbour[] {
	const out: Neighbour[] = [];
	list(input, 'ip neigh').forEach((item, i) => {
		const o = object(item, `ip neigh[${i}]`);
		const ip = str(o, 'dst');
		const dev = str(o, 'dev');
		if (ip === undefined || dev === undefined) return;
		const mac = str(o, 'lladdr');
		out.push({ ip, dev, ...(mac !== undefined ? { mac: mac.toLowerCase() } : {}), state: strings(o, 'state') });
	});
	return out;
}
