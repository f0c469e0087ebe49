/**
 * iproute2's text output turned into the JSON its `-j` option prints, for inputs that only exist as text
 * (a sosreport's `ip route show table all`, `ip -d address`, `ip -4 rule list`, `bridge … show`). Only the
 * fields netsleuth reads are produced, named as `ip -j` names them, so that one parser serves both forms.
 * Lines that are not understood are skipped and counted in `skipped`.
 */

type Json = Record<string, unknown>;

export interface Converted {
	readonly json: Json[];
	/** 1-based numbers of lines that were not understood. */
	readonly skipped: number[];
}

const ROUTE_TYPES = new Set(['unicast', 'local', 'broadcast', 'multicast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'anycast', 'nat']);
/** Route attributes that take one value (a preceding `lock` is allowed). */
const ROUTE_METRICS = new Set(['mtu', 'advmss', 'rtt', 'rttvar', 'window', 'cwnd', 'initcwnd', 'initrwnd', 'quickack', 'hoplimit', 'ssthresh', 'reordering', 'features', 'rto_min', 'congctl', 'fastopen_no_cookie', 'expires', 'realm', 'realms', 'error', 'nhid', 'age', 'users', 'used', 'cache', 'ttl-propagate']);
const ROUTE_FLAGS = new Set(['onlink', 'linkdown', 'dead', 'pervasive', 'offload', 'trap', 'offload_failed', 'notify', 'unresolved', 'rt_offload', 'rt_trap', 'rt_offload_failed']);

const isNumber = (w: string | undefined): boolean => w !== undefined && /^\d+$/.test(w);

/** `ip route show table all` (or `ip -6 …`): one route per line, `nexthop` lines belong to the one above. */
export function routesFromText(text: string): Converted {
	const json: Json[] = [];
	const skipped: number[] = [];
	const lines = text.split('\n');
	lines.forEach((line, i) => {
		const words = line.trim().split(/\s+/).filter(Boolean);
		if (words.length === 0) return;
		if (words[0] === 'nexthop') {
			const route = json.at(-1);
			if (!route) return void skipped.push(i + 1);
			const hop: Json = { flags: [] };
			for (let k = 1; k < words.length; k++) {
				const w = words[k]!;
				if (w === 'via') {
					if (words[k + 1] === 'inet' || words[k + 1] === 'inet6') k++;
					hop['gateway'] = words[++k];
				} else if (w === 'dev') hop['dev'] = words[++k];
				else if (w === 'weight') hop['weight'] = Number(words[++k]);
				else if (ROUTE_FLAGS.has(w)) (hop['flags'] as string[]).push(w);
			}
			((route['nexthops'] ??= []) as Json[]).push(hop);
			return;
		}
		const route: Json = {};
		let k = 0;
		if (ROUTE_TYPES.has(words[0]!) && words.length > 1) route['type'] = words[k++];
		route['dst'] = words[k++];
		const flags: string[] = [];
		for (; k < words.length; k++) {
			const w = words[k]!;
			const next = words[k + 1];
			if (w === 'via') {
				if (next === 'inet' || next === 'inet6') {
					route['via'] = { family: next, host: words[k + 2] };
					k += 2;
				} else {
					route['gateway'] = next;
					k++;
				}
			} else if (w === 'dev') (route['dev'] = next, k++);
			else if (w === 'table') (route['table'] = next, k++);
			else if (w === 'proto') (route['protocol'] = next, k++);
			else if (w === 'scope') (route['scope'] = next, k++);
			else if (w === 'src') (route['prefsrc'] = next, k++);
			else if (w === 'from') (route['from'] = next, k++);
			else if (w === 'metric') (route['metric'] = Number(next), k++);
			else if (w === 'tos' || w === 'dsfield') (route['tos'] = next, k++);
			else if (w === 'pref') (route['pref'] = next, k++);
			else if (ROUTE_FLAGS.has(w)) flags.push(w);
			else if (ROUTE_METRICS.has(w)) k += next === 'lock' ? 2 : 1;
			else if (w === 'encap' || w === 'mpls') k = words.length; // the rest describes the encapsulation
		}
		route['flags'] = flags;
		if (typeof route['dst'] !== 'string') return void skipped.push(i + 1);
		json.push(route);
	});
	return { json, skipped };
}

function prefixParts(text: string): { addr: string; len?: number } {
	const [addr, len] = text.split('/');
	return len === undefined ? { addr: addr! } : { addr: addr!, len: Number(len) };
}

/** `ip rule list` / `ip -4 rule list` / `ip -6 rule list`: `PRIO:\tselectors action`. */
export function rulesFromText(text: string): Converted {
	const json: Json[] = [];
	const skipped: number[] = [];
	text.split('\n').forEach((line, i) => {
		const match = /^\s*(\d+):\s*(.*)$/.exec(line);
		if (!match) {
			if (line.trim()) skipped.push(i + 1);
			return;
		}
		const words = match[2]!.trim().split(/\s+/);
		const rule: Json = { priority: Number(match[1]) };
		for (let k = 0; k < words.length; k++) {
			const w = words[k]!;
			const next = words[k + 1];
			const range = (key: string) => {
				const [start, end] = (next ?? '').split('-');
				if (end === undefined) rule[key] = Number(start);
				else (rule[`${key}_start`] = Number(start), rule[`${key}_end`] = Number(end));
				k++;
			};
			if (w === 'not') rule['not'] = null;
			else if (w === 'from' || w === 'to') {
				const key = w === 'from' ? 'src' : 'dst';
				if (next === 'all') rule[key] = 'all';
				else {
					const { addr, len } = prefixParts(next ?? '');
					rule[key] = addr;
					if (len !== undefined) rule[`${key}len`] = len;
				}
				k++;
			} else if (w === 'fwmark') {
				const [mark, mask] = (next ?? '').split('/');
				rule['fwmark'] = mark;
				if (mask !== undefined) rule['fwmask'] = mask;
				k++;
			} else if (w === 'iif' || w === 'oif') {
				rule[w] = next;
				k++;
				if (words[k + 1] === '[detached]') (rule[`${w}_detached`] = true, k++);
			} else if (w === 'lookup' || w === 'table') (rule['table'] = next, k++);
			else if (w === 'goto') (rule['goto'] = Number(next), k++);
			else if (w === 'blackhole' || w === 'unreachable' || w === 'prohibit') rule['action'] = w;
			else if (w === 'nop') rule['nop'] = null;
			else if (w === 'tos' || w === 'dsfield') (rule['tos'] = next, k++);
			else if (w === 'dscp') (rule['dscp'] = isNumber(next) ? Number(next) : next, k++);
			else if (w === 'ipproto') (rule['ipproto'] = next, k++);
			else if (w === 'sport' || w === 'dport') range(w);
			else if (w === 'uidrange') range('uid');
			else if (w === 'suppress_prefixlength') (rule['suppress_prefixlen'] = Number(next), k++);
			else if (w === 'suppress_ifgroup') (rule['suppress_ifgroup'] = next, k++);
			else if (w === 'l3mdev') rule['l3mdev'] = null;
			else if (w === 'tun_id') (rule['tun_id'] = next, k++);
			else if (w === 'flowlabel') (rule['flowlabel'] = next, k++);
			else if (w === 'proto' || w === 'realms' || w === 'map-to') k++;
		}
		json.push(rule);
	});
	return { json, skipped };
}

const LINK_HEADER = /^(\d+):\s+([^:@\s]+)(?:@([^:\s]+))?:\s+<([^>]*)>(.*)$/;

/** Link kinds whose detail line `ip -d` starts with the kind's name. */
const DETAIL_KINDS = new Set([
	'veth', 'bridge', 'vlan', 'vxlan', 'ipip', 'gre', 'gretap', 'erspan', 'sit', 'ip6tnl', 'ip6gre', 'ip6gretap', 'tun', 'dummy', 'wireguard',
	'macvlan', 'macvtap', 'ipvlan', 'ipvtap', 'bond', 'team', 'vrf', 'geneve', 'openvswitch', 'ifb', 'nlmon', 'vcan', 'xfrm', 'bareudp',
]);

/** `key value` pairs of a detail line, and its bare words. */
function pairs(words: string[]): { get(key: string): string | undefined; has(word: string): boolean } {
	return {
		get: (key) => {
			const i = words.indexOf(key);
			return i < 0 ? undefined : words[i + 1];
		},
		has: (word) => words.includes(word),
	};
}

function kindData(kind: string, words: string[]): Json {
	const p = pairs(words);
	const data: Json = {};
	const put = (key: string, value: unknown) => {
		if (value !== undefined) data[key] = value;
	};
	switch (kind) {
		case 'vlan':
			put('protocol', p.get('protocol'));
			put('id', p.get('id') === undefined ? undefined : Number(p.get('id')));
			break;
		case 'vxlan':
			put('id', p.get('id') === undefined ? undefined : Number(p.get('id')));
			put('remote', p.get('remote'));
			put('group', p.get('group'));
			put('local', p.get('local'));
			put('link', p.get('dev'));
			put('port', p.get('dstport') === undefined ? undefined : Number(p.get('dstport')));
			if (p.has('nolearning')) data['learning'] = false;
			break;
		case 'ipip': case 'gre': case 'gretap': case 'erspan': case 'sit': case 'ip6tnl': case 'ip6gre': case 'ip6gretap':
			put('remote', p.get('remote'));
			put('local', p.get('local'));
			put('link', p.get('dev'));
			put('ttl', p.get('ttl') === undefined ? undefined : isNumber(p.get('ttl')) ? Number(p.get('ttl')) : p.get('ttl'));
			put('ikey', p.get('ikey') ?? p.get('key'));
			put('okey', p.get('okey') ?? p.get('key'));
			break;
		case 'tun':
			put('type', p.get('type'));
			if (p.get('pi') !== undefined) data['pi'] = p.get('pi') === 'on';
			if (p.get('persist') !== undefined) data['persist'] = p.get('persist') === 'on';
			if (p.has('multi_queue')) data['multi_queue'] = true;
			break;
		case 'macvlan': case 'macvtap': case 'ipvlan': case 'ipvtap':
			put('mode', p.get('mode'));
			break;
		case 'bond':
			put('mode', p.get('mode'));
			put('active_slave', p.get('active_slave'));
			put('miimon', p.get('miimon') === undefined ? undefined : Number(p.get('miimon')));
			break;
		case 'bridge':
			put('stp_state', p.get('stp_state') === undefined ? undefined : Number(p.get('stp_state')));
			put('vlan_filtering', p.get('vlan_filtering') === undefined ? undefined : Number(p.get('vlan_filtering')));
			put('vlan_protocol', p.get('vlan_protocol'));
			put('nf_call_iptables', p.get('nf_call_iptables') === undefined ? undefined : Number(p.get('nf_call_iptables')));
			put('nf_call_ip6tables', p.get('nf_call_ip6tables') === undefined ? undefined : Number(p.get('nf_call_ip6tables')));
			break;
		default:
	}
	return data;
}

/**
 * `ip -d address`, `ip address`, `ip -s -d link`, `ip link`: blocks that start with `N: name[@peer]: <FLAGS> …`.
 * Yields what `ip -j -d addr` would (ifindex, ifname, link, flags, mtu, master, operstate, link_type,
 * address, link_netnsid, linkinfo, addr_info).
 */
export function linksFromText(text: string): Converted {
	const json: Json[] = [];
	const skipped: number[] = [];
	let link: Json | undefined;
	let skipStats = false;
	text.split('\n').forEach((line, i) => {
		if (skipStats) {
			skipStats = false;
			return;
		}
		const header = LINK_HEADER.exec(line);
		if (header) {
			const words = header[5]!.trim().split(/\s+/);
			const p = pairs(words);
			link = { ifindex: Number(header[1]), ifname: header[2], flags: header[4]!.split(',').filter(Boolean) };
			const peer = header[3];
			if (peer !== undefined && peer !== 'NONE') {
				const remote = /^if(\d+)$/.exec(peer);
				if (remote) link['link_index'] = Number(remote[1]);
				else link['link'] = peer;
			}
			if (p.get('mtu')) link['mtu'] = Number(p.get('mtu'));
			if (p.get('master')) link['master'] = p.get('master');
			if (p.get('state')) link['operstate'] = p.get('state');
			json.push(link);
			return;
		}
		const words = line.trim().split(/\s+/).filter(Boolean);
		if (!link || words.length === 0) {
			if (words.length) skipped.push(i + 1);
			return;
		}
		const first = words[0]!;
		if (first.startsWith('link/')) {
			link['link_type'] = first.slice(5);
			if (words[1] && /^[0-9a-f]{2}(:[0-9a-f]{2})+$/i.test(words[1])) link['address'] = words[1];
			const p = pairs(words);
			if (p.get('link-netnsid') !== undefined) link['link_netnsid'] = Number(p.get('link-netnsid'));
			if (p.get('link-netns') !== undefined) link['link_netns'] = p.get('link-netns');
			return;
		}
		if (first === 'inet' || first === 'inet6') {
			const p = pairs(words);
			const [local, len] = (words[1] ?? '').split('/');
			const peerAt = words.indexOf('peer');
			const addr: Json = { family: first, local, prefixlen: Number(len ?? (first === 'inet' ? 32 : 128)) };
			if (peerAt > 0) {
				const [peer, peerLen] = (words[peerAt + 1] ?? '').split('/');
				addr['address'] = peer;
				if (peerLen !== undefined) addr['prefixlen'] = Number(peerLen);
			}
			if (p.get('brd')) addr['broadcast'] = p.get('brd');
			if (p.get('scope')) addr['scope'] = p.get('scope');
			if (words.includes('secondary')) addr['secondary'] = true;
			const last = words.at(-1);
			if (first === 'inet' && last && last !== 'secondary' && last !== 'dynamic' && words.at(-2) !== 'scope' && last !== words[1]) addr['label'] = last;
			((link['addr_info'] ??= []) as Json[]).push(addr);
			return;
		}
		if (first === 'RX:' || first === 'TX:') {
			skipStats = true;
			return;
		}
		if (first === 'valid_lft' || first === 'altname' || first === 'prop' || first === 'vf' || /^\d/.test(first)) return;
		const info = (link['linkinfo'] ??= {}) as Json;
		if (first.endsWith('_slave')) {
			info['info_slave_kind'] = first.slice(0, -'_slave'.length);
			const p = pairs(words);
			const slave: Json = {};
			if (p.get('state')) slave['state'] = p.get('state');
			info['info_slave_data'] = slave;
			return;
		}
		if (DETAIL_KINDS.has(first)) {
			info['info_kind'] = first;
			const data = kindData(first, words.slice(1));
			if (Object.keys(data).length) info['info_data'] = data;
			return;
		}
		if (first === 'addrgenmode' || first === 'numtxqueues' || first === 'promiscuity') return;
		skipped.push(i + 1);
	});
	for (const link of json) if (link['linkinfo'] && Object.keys(link['linkinfo'] as Json).length === 0) delete link['linkinfo'];
	return { json, skipped };
}

/** `bridge link show` / `bridge -d link show`: `N: port@peer: <FLAGS> mtu M master BR state S priority P cost C` + detail line. */
export function bridgeLinksFromText(text: string): Converted {
	const json: Json[] = [];
	const skipped: number[] = [];
	let port: Json | undefined;
	text.split('\n').forEach((line, i) => {
		const header = LINK_HEADER.exec(line);
		const words = (header ? header[5]! : line).trim().split(/\s+/).filter(Boolean);
		if (header) {
			port = { ifindex: Number(header[1]), ifname: header[2], flags: header[4]!.split(',').filter(Boolean) };
			json.push(port);
		} else if (!port || words.length === 0) {
			if (words.length) skipped.push(i + 1);
			return;
		}
		for (let k = 0; k < words.length; k++) {
			const w = words[k]!;
			const next = words[k + 1];
			if (['master', 'state'].includes(w)) (port![w] = next, k++);
			else if (['mtu', 'priority', 'cost'].includes(w)) (port![w] = Number(next), k++);
			else if (['hairpin', 'learning', 'flood', 'isolated', 'guard', 'root_block', 'fastleave', 'mcast_flood', 'bcast_flood', 'neigh_suppress', 'vlan_tunnel', 'locked', 'mcast_to_unicast'].includes(w) && (next === 'on' || next === 'off')) (port![w] = next === 'on', k++);
		}
	});
	return { json, skipped };
}

/** `bridge fdb show` (with or without -s/-d/-t): `MAC dev PORT [vlan N] [dst IP] [via IF] [used a/b] [master BR] [self] [state]`. */
export function fdbFromText(text: string): Converted {
	const json: Json[] = [];
	const skipped: number[] = [];
	text.split('\n').forEach((line, i) => {
		const words = line.trim().split(/\s+/).filter(Boolean);
		if (words.length === 0) return;
		if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(words[0]!)) return void skipped.push(i + 1);
		const entry: Json = { mac: words[0], flags: [] as string[], state: '' };
		for (let k = 1; k < words.length; k++) {
			const w = words[k]!;
			const next = words[k + 1];
			if (w === 'dev') (entry['ifname'] = next, k++);
			else if (w === 'vlan') (entry['vlan'] = Number(next), k++);
			else if (w === 'dst') (entry['dst'] = next, k++);
			else if (w === 'via') (entry['viaIf'] = next, k++);
			else if (w === 'master') (entry['master'] = next, k++);
			else if (['used', 'port', 'vni', 'src_vni', 'nhid', 'updated'].includes(w)) k++;
			else if (['self', 'router', 'extern_learn', 'offload', 'sticky', 'master'].includes(w)) (entry['flags'] as string[]).push(w);
			else if (['permanent', 'static', 'dynamic', 'stale'].includes(w)) entry['state'] = w === 'dynamic' ? '' : w;
		}
		json.push(entry);
	});
	return { json, skipped };
}

/**
 * `bridge vlan show` / `bridge -d vlan show`: a `port vlan-id` header, then `PORT  VID [PVID] [Egress Untagged]`
 * with continuation lines (`       VID …`) for the same port.
 */
export function bridgeVlansFromText(text: string): Converted {
	const json: Json[] = [];
	const skipped: number[] = [];
	let current: Json | undefined;
	text.split('\n').forEach((line, i) => {
		if (!line.trim() || /^port\s+vlan[- ]ids?/i.test(line.trim())) return;
		const match = /^(\S+)?\s+(\d+)(?:-(\d+))?\s*(.*)$/.exec(line);
		if (!match) {
			const bare = /^(\S+)\s*$/.exec(line);
			if (bare) {
				current = { ifname: bare[1], vlans: [] };
				json.push(current);
				return;
			}
			return void skipped.push(i + 1);
		}
		if (match[1] !== undefined) {
			current = { ifname: match[1], vlans: [] };
			json.push(current);
		}
		if (!current) return void skipped.push(i + 1);
		const rest = match[4] ?? '';
		const flags: string[] = [];
		if (/\bPVID\b/.test(rest)) flags.push('PVID');
		if (/Egress Untagged/i.test(rest)) flags.push('Egress Untagged');
		const vlan: Json = { vlan: Number(match[2]) };
		if (match[3] !== undefined) vlan['vlanEnd'] = Number(match[3]);
		if (flags.length) vlan['flags'] = flags;
		(current['vlans'] as Json[]).push(vlan);
	});
	return { json, skipped };
}
