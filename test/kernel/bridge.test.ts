// Bridging against the kernel: a bridge br0 in the host namespace with the client- and server-side veths
// as its ports, client and server in one subnet (10.2.67.0/24, fd00:1::/64), br0 holding the host's
// addresses. Each case injects one exact frame from the client, reads the kernel's trace events and where
// the frame arrived, snapshots the host namespace with netsleuth's collector (links, bridge link, fdb,
// sysctls) and compares netsleuth's hits and fate (and path: a bridged frame is path 'bridge').

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { randomBridgeCase } from './support/bridge-cases.js';
import { compareWithKernel, type DifferentialCase } from './support/differential.js';
import { type BridgeSpec, DEFAULT_TOPOLOGY, requireKernelOrSkip, type TopologySpec } from './support/netns.js';

const SERVER_MAC = DEFAULT_TOPOLOGY.server.mac;
/** A MAC no interface has and the fdb never learns. */
const UNKNOWN_MAC = '02:00:00:00:99:99';

/** The bridged topology: the server's MAC in the fdb as a static entry (learning is left on, but not relied on). */
function bridged(bridge: BridgeSpec = {}, sysctls: Record<string, number> = {}): TopologySpec {
	return { host: { bridge: { ...bridge, fdb: [`${SERVER_MAC} dev eth1 master static`, ...(bridge.fdb ?? [])] }, sysctls } };
}

/**
 * Probes of which names each hook sees: rules without a target that match or not (-i the bridge or the
 * port, -o, every physdev option, conntrack), in raw, mangle, nat, filter and security.
 */
const NAMES = `*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -i br0
-A PREROUTING -i eth0
-A PREROUTING -m physdev --physdev-in eth0
-A PREROUTING -m physdev --physdev-is-in
-A PREROUTING -m physdev --physdev-out eth1
-A PREROUTING -m physdev --physdev-is-bridged
COMMIT
*mangle
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -i br0
-A PREROUTING -i eth0
-A PREROUTING -m conntrack --ctstate NEW
-A INPUT -i br0
-A INPUT -i eth0
-A INPUT -m physdev --physdev-in eth0
-A INPUT -m physdev --physdev-is-bridged
-A FORWARD -i br0
-A FORWARD -i eth0
-A FORWARD -o br0
-A FORWARD -o eth1
-A FORWARD -m physdev --physdev-in eth0
-A FORWARD -m physdev --physdev-out eth1
-A FORWARD -m physdev --physdev-is-bridged
-A FORWARD -m conntrack --ctstate NEW
-A POSTROUTING -o br0
-A POSTROUTING -o eth1
-A POSTROUTING -m physdev --physdev-in eth0
-A POSTROUTING -m physdev --physdev-out eth1
-A POSTROUTING -m physdev --physdev-is-bridged
-A POSTROUTING -m conntrack --ctstate NEW
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -i br0
-A PREROUTING -i eth0
-A INPUT -i br0
-A POSTROUTING -o br0
-A POSTROUTING -o eth1
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i br0
-A INPUT -i eth0
-A FORWARD -i br0
-A FORWARD -o br0
-A FORWARD -o eth1
-A FORWARD -m physdev --physdev-out eth1
COMMIT
*security
:FORWARD ACCEPT [0:0]
-A FORWARD -i br0
-A FORWARD -i eth0
COMMIT
`;

const filter = (...lines: string[]) => `*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n${lines.join('\n')}\nCOMMIT\n`;
const udp4 = (dst: string, dstMac?: string) => ({ family: 4 as const, proto: 'udp' as const, src: '10.2.67.113', dst, dport: 53, ...(dstMac ? { dstMac } : {}) });
const udp6 = (dst: string, dstMac?: string) => ({ family: 6 as const, proto: 'udp' as const, src: 'fd00:1::113', dst, dport: 53, ...(dstMac ? { dstMac } : {}) });
const NO_NF = { 'net.bridge.bridge-nf-call-iptables': 0 };
const NO_NF6 = { 'net.bridge.bridge-nf-call-ip6tables': 0 };

const IPV4: DifferentialCase[] = [
	{ name: 'bridged to a known MAC: -i/-o see br0, physdev sees the ports, raw/mangle/nat/filter/security run', rules: NAMES, topology: bridged(), packet: udp4('10.2.67.2', SERVER_MAC) },
	{ name: 'flooded to an unknown MAC (the only other port)', rules: NAMES, topology: bridged(), packet: udp4('10.2.67.2', UNKNOWN_MAC) },
	{ name: 'delivered up to the bridge’s own address: PREROUTING once, INPUT with -i br0 and --physdev-in', rules: NAMES, topology: bridged(), packet: udp4('10.2.67.1') },
	{ name: 'to the arrival port’s own MAC: delivered up', rules: NAMES, topology: bridged(), packet: udp4('10.2.67.1', DEFAULT_TOPOLOGY.hostClientIf.mac) },
	{ name: 'FORWARD -m physdev --physdev-in eth0 --physdev-out eth1 -j DROP drops bridged traffic', rules: filter('-A FORWARD -m physdev --physdev-in eth0 --physdev-out eth1 -j DROP'), topology: bridged(), packet: udp4('10.2.67.2', SERVER_MAC) },
	{ name: 'FORWARD -i eth0 (the port) does not match a bridged frame', rules: filter('-A FORWARD -i eth0 -j DROP', '-A FORWARD -o eth1 -j DROP'), topology: bridged(), packet: udp4('10.2.67.2', SERVER_MAC) },
	{ name: 'FORWARD -i br0 -o br0 matches it', rules: filter('-A FORWARD -i br0 -o br0 -j DROP'), topology: bridged(), packet: udp4('10.2.67.2', SERVER_MAC) },
	{ name: 'FORWARD policy DROP with an exception for --physdev-is-bridged udp', rules: '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A FORWARD -p tcp -j ACCEPT\n-A FORWARD -m physdev --physdev-is-bridged -p udp --dport 53 -j ACCEPT\nCOMMIT\n', topology: bridged(), packet: udp4('10.2.67.2', SERVER_MAC) },
	{ name: 'bridge-nf-call-iptables=0: iptables never sees the bridged frame', rules: filter('-A FORWARD -j DROP'), topology: bridged({}, NO_NF), packet: udp4('10.2.67.2', SERVER_MAC) },
	{ name: 'bridge-nf-call-iptables=0, flooded: not seen either', rules: NAMES, topology: bridged({}, NO_NF), packet: udp4('10.2.67.2', UNKNOWN_MAC) },
	{ name: 'bridge-nf-call-iptables=0, to the bridge: PREROUTING and INPUT on br0, without physdev', rules: NAMES, topology: bridged({}, NO_NF), packet: udp4('10.2.67.1') },
	{ name: 'the bridge’s own nf_call_iptables 1 with the sysctl at 0: iptables sees it', rules: NAMES, topology: bridged({ options: ['nf_call_iptables', '1'] }, NO_NF), packet: udp4('10.2.67.2', SERVER_MAC) },
	{ name: 'the destination MAC is behind the arrival port: dropped after PREROUTING', rules: NAMES, topology: bridged({ fdb: ['02:00:00:00:01:72 dev eth0 master static'] }), packet: udp4('10.2.67.2', '02:00:00:00:01:72') },
	{ name: 'arrival port learning: PREROUTING, then dropped', rules: NAMES, topology: bridged({ links: ['dev eth0 state 2'] }), packet: udp4('10.2.67.2', SERVER_MAC) },
	{ name: 'arrival port listening: dropped before any hook', rules: NAMES, topology: bridged({ links: ['dev eth0 state 1'] }), packet: udp4('10.2.67.2', SERVER_MAC) },
	{ name: 'the destination’s port is listening: dropped after PREROUTING', rules: NAMES, topology: bridged({ links: ['dev eth1 state 1'] }), packet: udp4('10.2.67.2', SERVER_MAC) },
	{ name: 'flooding off on the other port: an unknown MAC goes nowhere', rules: NAMES, topology: bridged({ links: ['dev eth1 flood off'] }), packet: udp4('10.2.67.2', UNKNOWN_MAC) },
	{ name: 'flooding off does not stop a known MAC', rules: NAMES, topology: bridged({ links: ['dev eth1 flood off'] }), packet: udp4('10.2.67.2', SERVER_MAC) },
	{ name: 'a permanent fdb entry that is not the bridge’s MAC: up, and dropped by IP (PACKET_OTHERHOST)', rules: NAMES, topology: bridged({ fdb: ['02:00:00:00:aa:02 dev eth1 master permanent'] }), packet: udp4('10.2.67.1', '02:00:00:00:aa:02') },
	{ name: 'REJECT in FORWARD on bridged traffic', rules: filter('-A FORWARD -m physdev --physdev-is-bridged -p udp -j REJECT'), topology: bridged(), packet: udp4('10.2.67.2', SERVER_MAC) },
	{ name: 'REJECT’s ICMP error for a bridged frame leaves through OUTPUT, which can drop it', rules: filter('-A FORWARD -m physdev --physdev-is-bridged -p udp -j REJECT', '-A OUTPUT -p icmp -j DROP'), topology: bridged(), packet: udp4('10.2.67.2', SERVER_MAC) },
	{ name: 'REJECT --reject-with tcp-reset for a bridged frame: the RST goes straight out the arrival port, past OUTPUT', rules: filter('-A FORWARD -m physdev --physdev-is-bridged -p tcp -j REJECT --reject-with tcp-reset', '-A OUTPUT -p tcp -j DROP'), topology: bridged(), packet: { family: 4, proto: 'tcp', src: '10.2.67.113', dst: '10.2.67.2', dport: 80, dstMac: SERVER_MAC } },
	{ name: 'REJECT --reject-with tcp-reset in INPUT for a frame that came up through the bridge: the RST also skips OUTPUT', rules: filter('-A INPUT -p tcp -j REJECT --reject-with tcp-reset', '-A OUTPUT -p tcp -j DROP'), topology: bridged(), packet: { family: 4, proto: 'tcp', src: '10.2.67.113', dst: '10.2.67.1', dport: 22 } },
	{ name: 'without br_netfilter the RST for a frame that came up through the bridge goes through OUTPUT', rules: filter('-A INPUT -p tcp -j REJECT --reject-with tcp-reset', '-A OUTPUT -p tcp -j DROP'), topology: bridged({}, NO_NF), packet: { family: 4, proto: 'tcp', src: '10.2.67.113', dst: '10.2.67.1', dport: 22 } },
	{ name: 'DNAT in bridged PREROUTING to the bridge’s address: handed up and delivered', rules: '*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n-A PREROUTING -i br0 -p udp --dport 53 -j DNAT --to-destination 10.2.67.1\nCOMMIT\n' + NAMES.slice(NAMES.indexOf('*filter')), topology: bridged(), packet: udp4('10.2.67.2', SERVER_MAC) },
	{ name: 'DNAT in bridged PREROUTING to another address on the bridge: bridged to its MAC', rules: '*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n-A PREROUTING -i br0 -d 10.2.67.50 -p udp -j DNAT --to-destination 10.2.67.2\nCOMMIT\n' + NAMES.slice(NAMES.indexOf('*filter')), topology: bridged({ neigh: [`10.2.67.2 lladdr ${SERVER_MAC} dev br0 nud permanent`] }), packet: udp4('10.2.67.50', UNKNOWN_MAC) },
];

const NAMES6 = NAMES;
const IPV6: DifferentialCase[] = [
	{ name: 'IPv6 bridged to a known MAC: the same names as IPv4', rules6: NAMES6, topology: bridged(), packet: udp6('fd00:1::2', SERVER_MAC) },
	{ name: 'IPv6 flooded to an unknown MAC', rules6: NAMES6, topology: bridged(), packet: udp6('fd00:1::2', UNKNOWN_MAC) },
	{ name: 'IPv6 delivered up to the bridge’s own address', rules6: NAMES6, topology: bridged(), packet: udp6('fd00:1::1') },
	{ name: 'IPv6 FORWARD physdev DROP', rules6: filter('-A FORWARD -m physdev --physdev-in eth0 --physdev-out eth1 -j DROP'), topology: bridged(), packet: udp6('fd00:1::2', SERVER_MAC) },
	{ name: 'IPv6 bridge-nf-call-ip6tables=0: ip6tables never sees it', rules6: filter('-A FORWARD -j DROP'), topology: bridged({}, NO_NF6), packet: udp6('fd00:1::2', SERVER_MAC) },
	{ name: 'IPv6 bridge-nf-call-ip6tables=0, to the bridge: on br0 without physdev', rules6: NAMES6, topology: bridged({}, NO_NF6), packet: udp6('fd00:1::1') },
	{ name: 'bridge-nf-call-iptables=0 leaves IPv6 to bridge-nf-call-ip6tables', rules6: filter('-A FORWARD -m physdev --physdev-is-bridged -j DROP'), topology: bridged({}, NO_NF), packet: udp6('fd00:1::2', SERVER_MAC) },
];

for (const [suite, cases] of [['IPv4 through br0', IPV4], ['IPv6 through br0', IPV6]] as const) {
	describe(`kernel agrees: bridging, ${suite}`, () => {
		for (const c of cases) {
			test(c.name, async (t) => {
				if (!requireKernelOrSkip(t)) return;
				const result = await compareWithKernel(c);
				t.diagnostic(`kernel ${result.kernelFate}, ${result.kernel.hits.length} hits; netsleuth ${result.trace.fate} (path ${result.trace.path}): ${result.trace.summary}`);
				assert.ok(result.agree, result.report);
			});
		}
	});
}

const RANDOM_CASES = Number(process.env.NETSLEUTH_BRIDGE_CASES ?? 100);
const RANDOM_SEED = Number(process.env.NETSLEUTH_BRIDGE_SEED ?? 20261126);

test(`random bridged rulesets and frames: netsleuth agrees with the kernel (${RANDOM_CASES} cases, seed ${RANDOM_SEED})`, { timeout: 30 * 60_000 }, async (t) => {
	if (!requireKernelOrSkip(t)) return;
	const failures: string[] = [];
	for (let i = 0; i < RANDOM_CASES; i++) {
		const result = await compareWithKernel(randomBridgeCase(RANDOM_SEED + i));
		if (!result.agree) failures.push(result.report);
	}
	const agreed = RANDOM_CASES - failures.length;
	t.diagnostic(`bridged agreement: ${agreed}/${RANDOM_CASES} (${((100 * agreed) / RANDOM_CASES).toFixed(1)}%)`);
	assert.equal(failures.length, 0, `${failures.length} of ${RANDOM_CASES} cases disagree:\n\n${failures.slice(0, 5).join('\n\n')}`);
});
