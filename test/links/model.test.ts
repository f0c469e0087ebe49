// The interface and bridge model on real output: test/links/fixtures/topology.json is what
// `netsleuth snapshot --netns` wrote for the namespaces of fixtures/topology.sh (kernel 6.18, iproute2 6.1),
// and fixtures/sos-topology/ is the same state as sosreport stores it (text, recorded by fixtures/capture.sh).
// Kinds this kernel cannot build (802.1Q vlan, bond, gre, dummy, macvlan, ipvlan, wireguard, bridge vlan
// filtering) are tested on samples whose origin each test states.

import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSnapshot } from '../../source/host/snapshot.js';
import { loadSosDirectory } from '../../source/host/sos.js';
import { buildLinks } from '../../source/links/parse.js';
import { linksFromText, routesFromText, rulesFromText } from '../../source/links/iproute-text.js';
import type { LinkModel } from '../../source/links/model.js';
import type { RawHostState } from '../../source/host/model.js';
import { parseRoutes, parseRules } from '../../source/routing/routes.js';
import { CORPUS, corpusPresent, REPO } from '../support/paths.js';

const FIXTURES = join(REPO, 'test/links/fixtures');
const snapshot = parseSnapshot(readFileSync(join(FIXTURES, 'topology.json'), 'utf8'), 'topology.json');
const sos = loadSosDirectory(join(FIXTURES, 'sos-topology'));

function model(raw: RawHostState): LinkModel {
	return buildLinks({
		...(raw.links !== undefined ? { links: raw.links } : {}), ...(raw.addresses !== undefined ? { addresses: raw.addresses } : {}),
		...(raw.bridgeLinks !== undefined ? { bridgeLinks: raw.bridgeLinks } : {}), ...(raw.fdb !== undefined ? { fdb: raw.fdb } : {}),
		...(raw.bridgeVlans !== undefined ? { bridgeVlans: raw.bridgeVlans } : {}), ...(raw.netnsIds !== undefined ? { netnsIds: raw.netnsIds } : {}),
	});
}

const live = model(snapshot.raw);
const byName = (m: LinkModel, name: string) => {
	const link = m.links.find((l) => l.name === name);
	assert.ok(link, `${name} is in the model`);
	return link;
};

test('captured topology: every interface with its kind, state, MTU, MAC and addresses', () => {
	assert.deepEqual(live.links.map((l) => [l.name, l.kind]), [
		['lo', 'loopback'], ['uplink', 'veth'], ['vb', 'veth'], ['va', 'veth'], ['br0', 'bridge'], ['vb1', 'veth'], ['vb2', 'veth'],
		['vx100', 'vxlan'], ['vxlan42', 'vxlan'], ['tap0', 'tap'], ['tun0', 'tun'],
	]);
	const va = byName(live, 'va');
	assert.equal(va.mtu, 1400);
	assert.equal(va.mac, '02:00:00:00:02:01');
	assert.equal(va.up, true);
	assert.equal(va.state, 'LOWERLAYERDOWN');
	assert.equal(byName(live, 'vb').up, false);
	assert.deepEqual(byName(live, 'br0').addresses.filter((a) => a.family === 4).map((a) => `${a.address}/${a.prefix}`), ['10.10.0.1/24']);
	assert.deepEqual(byName(live, 'uplink').addresses.map((a) => `${a.address}/${a.prefix}`).slice(0, 2), ['10.20.0.1/24', '2001:db8:20::1/64']);
	assert.deepEqual(byName(live, 'tun0').addresses.map((a) => `${a.address}/${a.prefix}`), ['10.99.0.1/30']);
	assert.equal(byName(live, 'tun0').mac, undefined);
	assert.deepEqual(byName(live, 'tap0').tuntap, { mode: 'tap', persist: true, pi: false, multiQueue: false });
});

test('captured topology: veth peers, in this namespace and in another one (named by ip netns list-id)', () => {
	assert.deepEqual(byName(live, 'va').veth, { peer: 'vb' });
	assert.deepEqual(byName(live, 'vb').veth, { peer: 'va' });
	const uplink = byName(live, 'uplink').veth!;
	assert.equal(uplink.peerIndex, 2);
	assert.equal(uplink.peerNetnsId, 0);
	assert.match(uplink.peerNetns ?? '', /^nsltk-\d+-cap-l$/);
	assert.match(byName(live, 'vb1').veth?.peerNetns ?? '', /-cap-l$/);
});

test('captured topology: vxlan VNI, remote, local, port and underlay; bridge ports and masters', () => {
	assert.deepEqual(byName(live, 'vxlan42').vxlan, { vni: 42, remote: '192.0.2.50', local: '10.20.0.1', port: 4789, dev: 'uplink', learning: true });
	assert.deepEqual(byName(live, 'vx100').vxlan, { vni: 100, local: '10.20.0.1', port: 4789, dev: 'uplink', learning: false });
	assert.equal(byName(live, 'vx100').master, 'br0');
	assert.deepEqual(byName(live, 'br0').bridge, { ports: ['vb1', 'vb2', 'vx100'], vlanFiltering: false, stp: false, nfCallIptables: false, nfCallIp6tables: false });
});

test('captured topology: bridge ports with their STP state, and the forwarding database (static, learned, permanent, vxlan remote)', () => {
	assert.equal(live.bridges.length, 1);
	const br0 = live.bridges[0]!;
	assert.deepEqual(br0.ports.map((p) => [p.name, p.state, p.learning, p.flood]), [
		['vb1', 'forwarding', true, true], ['vb2', 'forwarding', true, true], ['vx100', 'forwarding', true, true],
	]);
	const fdb = new Map(br0.fdb.map((e) => [`${e.mac} ${e.port}`, e]));
	assert.equal(fdb.get('02:00:00:00:0e:01 vb1')?.state, 'static');
	assert.equal(fdb.get('02:00:00:00:0c:11 vb1')?.state, 'learned');
	assert.equal(fdb.get('02:00:00:00:0c:12 vb2')?.state, 'learned');
	assert.equal(fdb.get('02:00:00:00:0b:01 br0')?.state, 'permanent');
	assert.deepEqual(fdb.get('00:00:00:00:00:00 vx100'), { mac: '00:00:00:00:00:00', port: 'vx100', state: 'permanent', self: true, dst: '10.20.0.254', flags: ['self'] });
	// The bridge's own multicast addresses are not forwarding entries.
	assert.ok(!br0.fdb.some((e) => e.mac.startsWith('33:33:')));
});

test('sosreport layout: the same host read from sos text files gives the same interfaces, bridges, routes and rules', () => {
	const fromSos = model(sos.raw);
	const essentials = (m: LinkModel) => m.links.map((l) => ({
		name: l.name, kind: l.kind, up: l.up, state: l.state, mtu: l.mtu, mac: l.mac, master: l.master,
		addresses: l.addresses.map((a) => `${a.address}/${a.prefix}`), peer: l.veth?.peer ?? l.veth?.peerIndex, peerNetns: l.veth?.peerNetns,
		vni: l.vxlan?.vni, remote: l.vxlan?.remote, tuntap: l.tuntap?.mode, ports: l.bridge?.ports,
	}));
	assert.deepEqual(essentials(fromSos), essentials(live));
	const bridges = (m: LinkModel) => m.bridges.map((b) => ({ ...b, fdb: b.fdb.map((e) => `${e.mac} ${e.port} ${e.state} ${e.dst ?? ''}`).sort() }));
	assert.deepEqual(bridges(fromSos), bridges(live));
	// Routes and policy rules: ip's text turned into its JSON parses to exactly what ip -j printed.
	assert.deepEqual(parseRoutes(sos.raw.routes!), parseRoutes(snapshot.raw.routes!));
	assert.deepEqual(parseRoutes(sos.raw.routes6!, 6), parseRoutes(snapshot.raw.routes6!, 6));
	assert.deepEqual(parseRules(sos.raw.ipRules!, 4), parseRules(snapshot.raw.ipRules!, 4));
	assert.deepEqual(parseRules(sos.raw.ipRules6!, 6), parseRules(snapshot.raw.ipRules6!, 6));
});

test('sosreport layout: iptables -nvL listings are turned back into the very rules iptables-save printed', () => {
	const rulesOf = (save: string) => save.split('\n').filter((l) => l.startsWith('[')).map((l) => l.replace(/^\[\d+:\d+\] /, '')).sort();
	assert.deepEqual(rulesOf(sos.raw.iptables!), rulesOf(snapshot.raw.iptables!));
	assert.ok(sos.warnings.some((w) => w.includes('rebuilt from sos')), 'the loader says the rules were rebuilt');
	assert.equal(sos.raw.hostname, 'topology-host');
	assert.equal(sos.meta.kernel !== undefined, true);
});

test('bond with slaves, and an openvswitch vxlan: real `ip -d -s link` text from the shared corpus', { skip: !corpusPresent && 'shared corpus not present' }, () => {
	// routes/insights_ip_d_s_link_bond.txt: RedHatInsights/insights-core insights/tests/parsers/test_ip.py (IP_D_S_LINK_BOND_1).
	const bond = linksFromText(readFileSync(join(CORPUS, 'routes/insights_ip_d_s_link_bond.txt'), 'utf8'));
	const m = buildLinks({ links: bond.json });
	const bond0 = byName(m, 'bond0');
	assert.equal(bond0.kind, 'bond');
	assert.deepEqual(bond0.bond, { mode: 'active-backup', slaves: ['enp1s0', 'enp2s0'], activeSlave: 'enp1s0', miimon: 100 });
	assert.equal(byName(m, 'enp1s0').bondSlaveState, 'ACTIVE');
	assert.equal(byName(m, 'enp2s0').bondSlaveState, 'BACKUP');
	assert.equal(byName(m, 'enp1s0').kind, 'physical');
	// routes/insights_ip_s_link_all_3.txt (IP_S_LINK_ALL_3): bond slaves, an ovs-system bridge and its vxlan_sys_4789, gre0.
	const ovs = buildLinks({ links: linksFromText(readFileSync(join(CORPUS, 'routes/insights_ip_s_link_all_3.txt'), 'utf8')).json });
	assert.equal(byName(ovs, 'vxlan_sys_4789').kind, 'vxlan');
	assert.equal(byName(ovs, 'vxlan_sys_4789').vxlan?.port, 4789);
	assert.equal(byName(ovs, 'vxlan_sys_4789').master, 'ovs-system');
	assert.equal(byName(ovs, 'gre0').linkType, 'gre');
});

test('ip route text from real hosts (shared corpus) converts to routes the route parser accepts', { skip: !corpusPresent && 'shared corpus not present' }, () => {
	// insights-core test_ip.py IP_ROUTE_SHOW_TABLE_ALL_TEST: named tables, throw, double spaces, bond vlans.
	const { json, skipped } = routesFromText(readFileSync(join(CORPUS, 'routes/insights_ip_route_show_table_all_1.txt'), 'utf8'));
	assert.deepEqual(skipped, []);
	const routes = parseRoutes(json);
	assert.deepEqual(routes.filter((r) => r.type === 'throw').map((r) => r.table), ['red_mgmt', 'red_storage']);
	assert.ok(routes.some((r) => r.table === 'local' && r.type === 'broadcast'));
	assert.ok(routes.some((r) => r.metric === 1014 && r.dev === 'bond0.400' && r.scope === 'link'));
});

test('vlan, dummy, macvlan, ipvlan, gre, ipip, sit and wireguard from iproute2 JSON', () => {
	// Written for this test in the shape `ip -d -j link` prints (iproute2 6.1: ip/iplink_vlan.c, link_gre.c,
	// link_iptnl.c, iplink_macvlan.c, iplink_ipvlan.c; wireguard has no info_data), following public outputs
	// such as aristanetworks/bst test/net.t (dummy, macvlan, ipvlan). This kernel builds none of these.
	const json = [
		{ ifindex: 2, ifname: 'eth0', flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], mtu: 1500, operstate: 'UP', link_type: 'ether', address: '52:54:00:12:34:56' },
		{ ifindex: 3, link: 'eth0', ifname: 'eth0.100', flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], mtu: 1500, operstate: 'UP', link_type: 'ether', address: '52:54:00:12:34:56', linkinfo: { info_kind: 'vlan', info_data: { protocol: '802.1Q', id: 100, flags: ['REORDER_HDR'] } } },
		{ ifindex: 4, link: 'eth0', ifname: 'qinq', flags: ['BROADCAST', 'MULTICAST'], mtu: 1500, operstate: 'DOWN', link_type: 'ether', linkinfo: { info_kind: 'vlan', info_data: { protocol: '802.1ad', id: 7 } } },
		{ ifindex: 5, ifname: 'dummy0', flags: ['BROADCAST', 'NOARP', 'UP', 'LOWER_UP'], mtu: 1500, operstate: 'UNKNOWN', link_type: 'ether', address: '9a:1b:2c:3d:4e:5f', linkinfo: { info_kind: 'dummy' } },
		{ ifindex: 6, link: 'eth0', ifname: 'mv0', flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], mtu: 1500, operstate: 'UP', link_type: 'ether', linkinfo: { info_kind: 'macvlan', info_data: { mode: 'bridge' } } },
		{ ifindex: 7, link: 'eth0', ifname: 'ipv0', flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], mtu: 1500, operstate: 'UNKNOWN', link_type: 'ether', linkinfo: { info_kind: 'ipvlan', info_data: { mode: 'l2', bridge: true } } },
		{ ifindex: 8, ifname: 'gre1', flags: ['POINTOPOINT', 'NOARP', 'UP', 'LOWER_UP'], mtu: 1476, operstate: 'UNKNOWN', link_type: 'gre', address: '192.0.2.1', linkinfo: { info_kind: 'gre', info_data: { remote: '198.51.100.9', local: '192.0.2.1', ttl: 64, pmtudisc: true, ikey: '0.0.0.7', okey: '0.0.0.7' } } },
		{ ifindex: 9, ifname: 'ipip1', flags: ['POINTOPOINT', 'NOARP', 'UP', 'LOWER_UP'], mtu: 1480, operstate: 'UNKNOWN', link_type: 'ipip', linkinfo: { info_kind: 'ipip', info_data: { proto: 'ip4ip4', remote: '198.51.100.10', local: '192.0.2.1', ttl: 0, pmtudisc: true } } },
		{ ifindex: 10, ifname: 'sit1', flags: ['POINTOPOINT', 'NOARP', 'UP', 'LOWER_UP'], mtu: 1480, operstate: 'UNKNOWN', link_type: 'sit', linkinfo: { info_kind: 'sit', info_data: { proto: 'ip6ip', remote: '198.51.100.11', local: '192.0.2.1', link: 'eth0', ttl: 64 } } },
		{ ifindex: 11, ifname: 'wg0', flags: ['POINTOPOINT', 'NOARP', 'UP', 'LOWER_UP'], mtu: 1420, operstate: 'UNKNOWN', link_type: 'none', linkinfo: { info_kind: 'wireguard' } },
	];
	const m = buildLinks({ links: json });
	assert.deepEqual(m.links.map((l) => l.kind), ['physical', 'vlan', 'vlan', 'dummy', 'macvlan', 'ipvlan', 'gre', 'ipip', 'sit', 'wireguard']);
	assert.deepEqual(byName(m, 'eth0.100').vlan, { id: 100, protocol: '802.1Q', parent: 'eth0', flags: ['REORDER_HDR'] });
	assert.deepEqual(byName(m, 'qinq').vlan, { id: 7, protocol: '802.1ad', parent: 'eth0', flags: [] });
	assert.deepEqual(byName(m, 'mv0').macvlan, { mode: 'bridge', parent: 'eth0' });
	assert.deepEqual(byName(m, 'ipv0').ipvlan, { mode: 'l2', parent: 'eth0' });
	assert.deepEqual(byName(m, 'gre1').tunnel, { mode: 'gre', local: '192.0.2.1', remote: '198.51.100.9', ttl: 64, ikey: '0.0.0.7', okey: '0.0.0.7' });
	assert.deepEqual(byName(m, 'sit1').tunnel, { mode: 'sit', local: '192.0.2.1', remote: '198.51.100.11', ttl: 64, dev: 'eth0' });
	assert.equal(byName(m, 'wg0').up, true);
});

test('bridge vlan filtering: pvid and untagged per port, in both JSON shapes iproute2 has printed', () => {
	// The shapes are those of `bridge -j vlan show`: iproute2 ≥ 5.x [{ifname, vlans}] and the older
	// {IFNAME: [...]} (RHEL 7), flags "PVID" / "Egress Untagged" as bridge/vlan.c prints them. Written for
	// this test; this kernel has no bridge vlan filtering.
	const links = [
		{ ifindex: 1, ifname: 'br0', flags: ['UP'], operstate: 'UP', link_type: 'ether', linkinfo: { info_kind: 'bridge', info_data: { stp_state: 1, vlan_filtering: 1, vlan_protocol: '802.1Q' } } },
		{ ifindex: 2, ifname: 'eth1', flags: ['UP'], master: 'br0', operstate: 'UP', link_type: 'ether' },
		{ ifindex: 3, ifname: 'eth2', flags: ['UP'], master: 'br0', operstate: 'UP', link_type: 'ether' },
	];
	const current = [
		{ ifname: 'br0', vlans: [{ vlan: 1, flags: ['PVID', 'Egress Untagged'] }] },
		{ ifname: 'eth1', vlans: [{ vlan: 10, flags: ['PVID', 'Egress Untagged'] }, { vlan: 20 }, { vlan: 30, vlanEnd: 39 }] },
		{ ifname: 'eth2', vlans: [{ vlan: 20, flags: ['PVID'] }] },
	];
	const older = { br0: [{ vlan: 1, flags: ['PVID', 'EgressUntagged'] }], eth1: [{ vlan: 10, flags: ['PVID', 'EgressUntagged'] }, { vlan: 20 }, { vlan: 30, vlanEnd: 39 }], eth2: [{ vlan: 20, flags: ['PVID'] }] };
	for (const bridgeVlans of [current, older]) {
		const [br0] = buildLinks({ links, bridgeVlans }).bridges;
		assert.equal(br0!.vlanFiltering, true);
		assert.equal(br0!.stp, true);
		assert.deepEqual(br0!.vlans, [{ id: 1, pvid: true, untagged: true }]);
		assert.deepEqual(br0!.ports.map((p) => [p.name, p.pvid, p.vlans]), [
			['eth1', 10, [{ id: 10, pvid: true, untagged: true }, { id: 20, pvid: false, untagged: false }, { id: 30, end: 39, pvid: false, untagged: false }]],
			['eth2', 20, [{ id: 20, pvid: true, untagged: false }]],
		]);
	}
});

test('ip rule text: selectors and actions as ip prints them', () => {
	const { json } = rulesFromText(readFileSync(join(FIXTURES, 'sos-topology/sos_commands/networking/ip_-4_rule_list'), 'utf8'));
	const rules = parseRules(json, 4);
	assert.deepEqual(rules.map((r) => r.priority), [0, 100, 200, 300, 400, 32766, 32767]);
	assert.equal(rules[4]!.not, true);
	assert.deepEqual(rules[4]!.dport, { start: 8000, end: 8080 });
	assert.equal(rules[3]!.action, 'blackhole');
});

test('malformed link JSON is refused with the path of the bad field', () => {
	assert.throws(() => buildLinks({ links: '[{"ifname":"x"' }), /ip link: invalid JSON/);
	assert.throws(() => buildLinks({ links: [{ flags: [] }] }), /ip link\[0\]\.ifname: missing/);
	assert.throws(() => buildLinks({ links: [{ ifname: 'v', linkinfo: { info_kind: 'vlan', info_data: {} } }] }), /info_data\.id: a vlan needs its id/);
});
