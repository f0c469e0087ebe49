import type { Bridge, BridgePort, BridgeVlan, FdbEntry, Neighbour } from '../links/model.js';
import type { Hook, TargetOutcome } from '../netfilter/extension.js';
import { formatIp, type Ip, ipEquals, parseIp } from '../packet/address.js';
import { clonePacket, type Packet, packetToJson } from '../packet/packet.js';
import { lookupRoute } from '../routing/lookup.js';
import type { Fate, Path, Step, Trace, Verdict } from './model.js';
import type { HostModel } from './pipeline.js';

/**
 * A frame arriving on a bridge port, as the kernel's bridge (net/bridge/br_input.c, br_forward.c) and
 * br_netfilter (br_netfilter_hooks.c) handle it. Checked against the kernel in test/kernel/bridge.test.ts;
 * what was found there (kernel 6.18, iptables-nft):
 *
 * - Port state first: a frame arriving on a port that is disabled, blocking or listening is dropped before
 *   any hook. A learning port runs the hooks below, learns the source, then drops the frame.
 * - br_netfilter (bridge-nf-call-iptables / -ip6tables = 1, the kernel default, or the bridge's own
 *   nf_call_iptables option): IPv4 / IPv6 frames go through iptables PREROUTING (raw, conntrack, mangle,
 *   nat) BEFORE the bridge looks up the destination MAC, so also frames that the bridge then drops.
 *   `-i` sees the bridge (br0), never the port; `-m physdev --physdev-in` sees the port.
 * - Bridged to another port: FORWARD (mangle, filter, security) with `-i br0 -o br0`, physdev in and out
 *   the ports, --physdev-is-bridged; then POSTROUTING (mangle, nat) with `-o br0`, physdev in and out.
 *   Conntrack tracks the frame (state NEW in every hook). No TTL decrement, no routing, no ip_forward.
 * - Handed up to the host (the bridge's own MAC, or the arrival port's own): PREROUTING only once (in the
 *   bridge), then the routing decision on br0 and INPUT with `-i br0` and --physdev-in the port.
 *   A frame to another local (permanent) fdb address is handed up but dropped by the IP layer: its
 *   destination MAC is not the receiving device's (PACKET_OTHERHOST).
 * - Without br_netfilter, iptables never sees a bridged frame; one handed up goes through PREROUTING and
 *   INPUT on br0 as any routed packet, without physdev information.
 * - The destination MAC behind the arrival port (no hairpin), or behind a port that is not forwarding:
 *   dropped after PREROUTING. Unknown unicast: flooded to every other forwarding port with flooding on.
 * - REJECT of a frame br_netfilter handed to iptables: the ICMP error is an ordinary local packet (OUTPUT,
 *   POSTROUTING), but a TCP RST is built with the frame's MACs and sent straight out the arrival port
 *   (nf_send_reset: nf_bridge_info_exists), past OUTPUT and POSTROUTING.
 */

/** What the bridge code needs of the pipeline's tracer. */
export interface BridgeTracer {
	readonly steps: Step[];
	readonly assumptions: Set<string>;
	verdict: Verdict | undefined;
	hook(hook: Hook, options?: { nat?: boolean }): TargetOutcome;
	sysctl(key: string, fallback: string, what: string): string;
	note(text: string): void;
}

export interface BridgeHelpers {
	/** The fate a hook's outcome gives the frame (undefined: it goes on). */
	stopped(outcome: TargetOutcome): { fate: Fate; text: string } | undefined;
	/** "TEXT by TABLE/CHAIN rule N: …" from the tracer's verdict. */
	byVerdict(text: string): string;
}

export type BridgeResult =
	/** The bridge decided the frame's fate: bridged out, flooded or dropped. */
	| { readonly kind: 'done'; readonly path: Path; readonly fate: Fate; readonly summary: string }
	/** Handed up to the host: the IP path goes on with `in` the bridge; PREROUTING already ran when `preroutingDone`. */
	| { readonly kind: 'up'; readonly preroutingDone: boolean };

export type BridgeAction = 'forward' | 'flood' | 'up' | 'drop';

interface Decision {
	readonly action: BridgeAction;
	readonly out: readonly string[];
	readonly reason: string;
	readonly entry?: FdbEntry;
	/** Handed up, but the IP layer drops it: the MAC is not the receiving device's own. */
	readonly otherhost?: boolean;
	/** Broadcast and multicast: flooded, and a copy goes up to the host. */
	readonly alsoUp?: boolean;
}

const BROADCAST = 'ff:ff:ff:ff:ff:ff';
const DROPPING_STATES = new Set(['disabled', 'blocking', 'listening']);

function inVlans(vlans: readonly BridgeVlan[], vid: number): boolean {
	return vlans.some((v) => vid >= v.id && vid <= (v.end ?? v.id));
}

/** The bridge a frame arriving on `dev` enters, and the port: `dev` is a port, or the bridge itself with the source MAC learned behind a port. */
export function arrivalPort(host: HostModel, packet: Packet, assume: (text: string) => void): { bridge: Bridge; port: BridgePort } | undefined {
	const bridges = host.links?.bridges ?? [];
	for (const bridge of bridges) {
		const port = bridge.ports.find((p) => p.name === packet.in);
		if (port) return { bridge, port };
	}
	const bridge = bridges.find((b) => b.name === packet.in);
	if (!bridge || !packet.srcMac) return undefined;
	const entry = bridge.fdb.find((e) => !e.self && e.mac === packet.srcMac && e.state !== 'permanent' && e.port !== bridge.name);
	const port = entry && bridge.ports.find((p) => p.name === entry.port);
	if (!port) return undefined;
	assume(`arrived on ${bridge.name} through port ${port.name}: the fdb has the source MAC ${packet.srcMac} behind it (give --in PORT to say otherwise)`);
	return { bridge, port };
}

/** Does br_netfilter hand this bridge's frames of the packet's family to iptables? */
function callsIptables(t: BridgeTracer, bridge: Bridge, family: 4 | 6): { on: boolean; why: string } {
	const key = family === 4 ? 'net.bridge.bridge-nf-call-iptables' : 'net.bridge.bridge-nf-call-ip6tables';
	const tool = family === 4 ? 'iptables' : 'ip6tables';
	const own = family === 4 ? bridge.nfCallIptables : bridge.nfCallIp6tables;
	if (own) return { on: true, why: `${bridge.name}'s own option nf_call_${tool} is on` };
	const value = t.sysctl(key, '1', `the kernel's default: br_netfilter passes bridged frames to ${tool}`);
	return value === '0' ? { on: false, why: `${key} = 0` } : { on: true, why: `${key} = ${value}` };
}

/** Which MAC the frame is addressed to when the packet was typed without one; undefined: a MAC the fdb does not know. */
function assumedDestination(host: HostModel, bridge: Bridge, packet: Packet, assume: (text: string) => void): string | undefined {
	const dst = formatIp(packet.dst);
	const own = bridge.mac ?? 'its own MAC';
	if (host.facts.addresses.some((a) => ipEquals(a.ip, packet.dst))) {
		assume(`no destination MAC given (--dst-mac): ${dst} is this host's address, so the frame is assumed addressed to ${bridge.name} (${own})`);
		return bridge.mac;
	}
	const route = host.routing ? lookupRoute(host.routing, { family: packet.family, dst: packet.dst }) : undefined;
	if (route && !(route.type === 'unicast' && route.dev === bridge.name && !route.gateway)) {
		assume(`no destination MAC given (--dst-mac): ${dst} is not on ${bridge.name}'s segment, so the sender is assumed to use this host as its router and to address the frame to ${bridge.name} (${own})`);
		return bridge.mac;
	}
	const neighbour = neighbourOf(host, bridge.name, packet.dst);
	if (neighbour?.mac) {
		assume(`no destination MAC given (--dst-mac): ${dst} is on ${bridge.name}'s segment; its MAC ${neighbour.mac} is from the neighbour table`);
		return neighbour.mac;
	}
	assume(`no destination MAC given (--dst-mac): ${dst} is ${route ? `on ${bridge.name}'s segment` : 'not this host\'s address (no routes given)'} and its MAC is unknown, so the frame is assumed addressed to a MAC the fdb does not know`);
	return undefined;
}

/** The neighbour table's MAC for an address on a link. */
function neighbourOf(host: HostModel, dev: string, ip: Ip): Neighbour | undefined {
	return host.neighbours?.find((n) => {
		if (n.dev !== dev || !n.mac || n.state.includes('FAILED') || n.state.includes('INCOMPLETE')) return false;
		const address = parseIp(n.ip);
		return address !== undefined && ipEquals(address, ip);
	});
}

/** The MAC of a port or the bridge itself (ip link). */
function macOf(host: HostModel, name: string): string | undefined {
	return host.links?.links.find((l) => l.name === name)?.mac?.toLowerCase();
}

/** May a frame leave by `to` (br_forward.c should_deliver): not back out its own port, forwarding, not isolated from it, in its vlan. */
function blockedEgress(bridge: Bridge, from: BridgePort, to: BridgePort, vid: number | undefined): string | undefined {
	if (to.name === from.name && !to.hairpin) return `it is the port the frame came in by (hairpin off)`;
	if (to.state !== 'forwarding' && to.state !== 'unknown') return `port ${to.name} is ${to.state}, not forwarding`;
	if (from.isolated && to.isolated) return `ports ${from.name} and ${to.name} are both isolated`;
	if (bridge.vlanFiltering && vid !== undefined && to.vlans.length && !inVlans(to.vlans, vid)) return `port ${to.name} is not in vlan ${vid}`;
	return undefined;
}

/** The bridge's forwarding decision for a frame to `mac` (br_handle_frame_finish). */
export function decide(host: HostModel, bridge: Bridge, port: BridgePort, mac: string | undefined, vid: number | undefined, assume: (text: string) => void): Decision {
	const flood = (why: string, alsoUp: boolean): Decision => {
		const out: string[] = [];
		const refused: string[] = [];
		for (const p of bridge.ports) {
			if (p.name === port.name && !p.hairpin) continue;
			const blocked = blockedEgress(bridge, port, p, vid) ?? (!alsoUp && p.flood === false ? `port ${p.name} has flooding off` : undefined);
			if (blocked) refused.push(blocked);
			else out.push(p.name);
		}
		if (out.length > 1) assume(`flooded copies leave in the order of ${bridge.name}'s ports as listed (${out.join(', ')}); the kernel walks its own port list`);
		const also = refused.length ? `; not to: ${refused.join('; ')}` : '';
		if (!out.length) return { action: alsoUp ? 'up' : 'drop', out, reason: `${why}, and there is no port to flood it to${also}`, alsoUp };
		return { action: 'flood', out, reason: `${why}: flooded out ${out.join(', ')}${also}`, alsoUp };
	};
	if (mac === BROADCAST) return flood(`${mac} is the broadcast address`, true);
	if (mac !== undefined && (parseInt(mac.slice(0, 2), 16) & 1) === 1) {
		assume('multicast snooping is not modelled: a multicast frame is taken as flooded to every port and taken up by the host');
		return flood(`${mac} is a multicast address`, true);
	}
	const own = bridge.mac?.toLowerCase() ?? macOf(host, bridge.name);
	const entry = mac === undefined ? undefined : bridge.fdb.find((e) => !e.self && e.mac.toLowerCase() === mac && (!bridge.vlanFiltering || vid === undefined || e.vlan === undefined || e.vlan === vid));
	if (!entry) {
		// The kernel keeps permanent entries for the bridge's and every port's own MAC: without an fdb listing, known all the same.
		if (mac !== undefined && mac === own) return { action: 'up', out: [], reason: `${mac} is ${bridge.name}'s own address` };
		const ownerPort = mac === undefined ? undefined : bridge.ports.find((p) => macOf(host, p.name) === mac);
		if (ownerPort) {
			if (ownerPort.name === port.name) return { action: 'up', out: [], reason: `${mac} is ${port.name}'s own address` };
			return { action: 'up', out: [], reason: `${mac} is ${ownerPort.name}'s own address: a local entry, so the frame goes up to ${bridge.name}, whose IP layer drops it because it is not ${bridge.name}'s own MAC (PACKET_OTHERHOST)`, otherhost: true };
		}
		const decision = flood(`${mac ?? 'the destination MAC'} is not in ${bridge.name}'s fdb${bridge.vlanFiltering && vid !== undefined ? ` for vlan ${vid}` : ''}`, false);
		if (bridge.promisc) return { ...decision, reason: `${decision.reason}; ${bridge.name} is promiscuous, so a copy also goes up, where the IP layer drops it (not its MAC)` };
		return decision;
	}
	const where = `${entry.mac} is behind ${entry.port} in the fdb (${entry.state}${entry.vlan !== undefined ? `, vlan ${entry.vlan}` : ''})`;
	if (entry.state === 'permanent' || entry.port === bridge.name) {
		// A local entry: the frame goes up. Only the bridge's MAC and the arrival port's own are PACKET_HOST.
		const arrivalMac = macOf(host, port.name);
		const host_ = entry.mac.toLowerCase() === own || entry.mac.toLowerCase() === arrivalMac;
		if (host_) return { action: 'up', out: [], reason: `${entry.mac} is ${entry.mac.toLowerCase() === own ? `${bridge.name}'s own address` : `${port.name}'s own address`} (a local fdb entry)`, entry };
		return { action: 'up', out: [], reason: `${where}: a local entry, so the frame goes up to ${bridge.name}, whose IP layer drops it because ${entry.mac} is not ${bridge.name}'s own MAC (PACKET_OTHERHOST)`, entry, otherhost: true };
	}
	const to = bridge.ports.find((p) => p.name === entry.port);
	if (!to) return { action: 'drop', out: [], reason: `${where}, which is not one of ${bridge.name}'s ports`, entry };
	const blocked = blockedEgress(bridge, port, to, vid);
	if (blocked) return { action: 'drop', out: [], reason: `${where}, but ${blocked}: the bridge drops it`, entry };
	return { action: 'forward', out: [to.name], reason: where, entry };
}

/**
 * A frame arriving on a bridge port: bridged, flooded, handed up or dropped, with the iptables hooks
 * br_netfilter runs. Undefined when the arrival interface is not a bridge port (the IP path as usual).
 */
export function bridgeFrame(host: HostModel, packet: Packet, t: BridgeTracer, helpers: BridgeHelpers): BridgeResult | undefined {
	if (packet.local || packet.in === undefined || !host.links) return undefined;
	const assume = (text: string) => t.assumptions.add(text);
	const arrival = arrivalPort(host, packet, assume);
	if (!arrival) return undefined;
	const { bridge, port } = arrival;
	const tool = packet.family === 4 ? 'iptables' : 'ip6tables';
	if (port.state === 'unknown') assume(`port ${port.name} of ${bridge.name} is assumed forwarding (no STP state given: bridge -j -d link)`);
	let mac = packet.dstMac ?? assumedDestination(host, bridge, packet, assume);
	if (mac !== undefined) packet.dstMac = mac;
	let vid: number | undefined;
	if (bridge.vlanFiltering) {
		vid = port.pvid;
		if (vid === undefined && !port.vlans.length) {
			vid = 1;
			assume(`no vlans known for ${port.name} (bridge -j vlan): assumed the default, vlan 1 PVID untagged`);
		}
	}
	const step = (decision: Pick<Decision, 'action' | 'out' | 'reason' | 'entry'>, iptables: boolean) => {
		t.steps.push({
			kind: 'bridge', bridge: bridge.name, port: port.name, dst_mac: mac ?? null, action: decision.action, out: decision.out,
			fdb: decision.entry ? { mac: decision.entry.mac, port: decision.entry.port, state: decision.entry.state, ...(decision.entry.vlan !== undefined ? { vlan: decision.entry.vlan } : {}) } : null,
			...(vid !== undefined ? { vlan: vid } : {}), iptables, reason: decision.reason,
		});
	};
	const dropped = (reason: string, iptables: boolean, path: Path = 'bridge'): BridgeResult => {
		step({ action: 'drop', out: [], reason }, iptables);
		t.verdict = { table: null, chain: null, rule: null, target: null, text: reason };
		return { kind: 'done', path, fate: 'dropped', summary: `DROPPED by ${bridge.name}: ${reason}` };
	};

	if (DROPPING_STATES.has(port.state)) return dropped(`port ${port.name} is ${port.state}: the bridge drops every frame it receives there, before any hook`, false);
	packet.physIn = port.name;
	packet.physOut = undefined;
	const nf = callsIptables(t, bridge, packet.family);
	let decision = decide(host, bridge, port, mac, vid, assume);
	let preroutingDone = false;
	if (nf.on) {
		// br_netfilter: PREROUTING runs before the bridge looks at the destination MAC, with -i the bridge.
		packet.in = bridge.name;
		t.note(`${bridge.name} (port ${port.name}): br_netfilter hands the frame to ${tool} (${nf.why}); -i sees ${bridge.name}, -m physdev sees the port`);
		const dstBefore = packet.dst;
		const stop = helpers.stopped(t.hook('PREROUTING'));
		if (stop) return { kind: 'done', path: decision.action === 'up' && !decision.alsoUp ? 'input' : 'bridge', fate: stop.fate, summary: helpers.byVerdict(stop.text) };
		preroutingDone = true;
		if (!ipEquals(dstBefore, packet.dst)) {
			// br_nf_pre_routing_finish: a new destination is routed; routed back out the bridge, it is bridged to that address's MAC.
			const route = host.routing ? lookupRoute(host.routing, { family: packet.family, dst: packet.dst, src: packet.src, iif: bridge.name, mark: packet.mark }) : undefined;
			if (!route || route.type !== 'unicast' || route.dev !== bridge.name) {
				if (!route) assume(`no routes given: the translated destination ${formatIp(packet.dst)} is assumed to be reached through the host (handed up)`);
				t.note(`the destination was translated in PREROUTING (${formatIp(dstBefore)} → ${formatIp(packet.dst)}): the bridge hands the frame up to ${bridge.name} with its own MAC, and the host routes it`);
				step({ action: 'up', out: [], reason: `destination translated to ${formatIp(packet.dst)}, which is not reached through ${bridge.name}: the frame is readdressed to ${bridge.name} and handed up` }, true);
				if (bridge.mac) packet.dstMac = bridge.mac;
				return { kind: 'up', preroutingDone };
			}
			const next = route.gateway ?? formatIp(packet.dst);
			const neighbour = neighbourOf(host, bridge.name, parseIp(next) ?? packet.dst);
			if (neighbour?.mac) t.note(`the destination was translated to ${formatIp(packet.dst)}, reached through ${bridge.name}: the frame is readdressed to ${next}'s MAC ${neighbour.mac} (neighbour table) and bridged`);
			else assume(`the destination was translated to ${formatIp(packet.dst)}, reached through ${bridge.name}, whose MAC the neighbour table does not have: assumed unknown to the fdb (the kernel asks by ARP/ND first)`);
			mac = neighbour?.mac;
			packet.dstMac = mac;
			decision = decide(host, bridge, port, mac, vid, assume);
		}
	}
	if (port.state === 'learning') return dropped(`port ${port.name} is learning: the bridge learns the source MAC and drops the frame`, nf.on, decision.action === 'up' ? 'input' : 'bridge');
	if (bridge.vlanFiltering && vid === undefined) return dropped(`vlan filtering is on and ${port.name} has no PVID: an untagged frame is dropped`, nf.on);
	if (bridge.vlanFiltering && vid !== undefined && port.vlans.length && !inVlans(port.vlans, vid)) return dropped(`vlan filtering: ${port.name} is not a member of vlan ${vid}`, nf.on);

	if (decision.action === 'drop') {
		step(decision, nf.on);
		t.verdict = { table: null, chain: null, rule: null, target: null, text: decision.reason };
		return { kind: 'done', path: 'bridge', fate: 'dropped', summary: `DROPPED by ${bridge.name}: ${decision.reason}` };
	}
	if (decision.action === 'up') return up(decision);

	// Bridged out one port, or flooded: each copy through FORWARD and POSTROUTING (br_nf_forward_ip, br_nf_post_routing).
	step(decision, nf.on);
	if (!nf.on) {
		t.note(`${tool} does not see bridged frames: ${nf.why}`);
		packet.out = bridge.name;
		packet.physOut = decision.out.at(-1);
		const summary = decision.action === 'forward'
			? `BRIDGED by ${bridge.name} from ${port.name} out ${decision.out[0]} (${tool} not consulted: ${nf.why})`
			: `FLOODED by ${bridge.name} from ${port.name} out ${decision.out.join(', ')} (${tool} not consulted: ${nf.why})`;
		if (decision.alsoUp) return up(decision);
		return { kind: 'done', path: 'bridge', fate: 'forwarded', summary };
	}
	const base = clonePacket(packet);
	const left: string[] = [];
	let lastStop: { fate: Fate; text: string } | undefined;
	decision.out.forEach((name, i) => {
		if (i > 0) Object.assign(packet, clonePacket(base));
		packet.out = bridge.name;
		packet.physOut = name;
		if (decision.out.length > 1) t.note(`copy ${i + 1} of ${decision.out.length}: out ${name}`);
		const fwd = helpers.stopped(t.hook('FORWARD'));
		if (fwd) {
			lastStop = { fate: fwd.fate, text: helpers.byVerdict(fwd.text) };
			return;
		}
		// Copies share one connection: nat sees only the first.
		const post = helpers.stopped(t.hook('POSTROUTING', i > 0 ? { nat: false } : {}));
		if (post) {
			lastStop = { fate: post.fate, text: helpers.byVerdict(post.text) };
			return;
		}
		left.push(name);
	});
	if (decision.alsoUp) return up(decision);
	if (!left.length) return { kind: 'done', path: 'bridge', fate: lastStop!.fate, summary: lastStop!.text };
	const verb = decision.action === 'forward' ? 'BRIDGED' : 'FLOODED';
	const refused = decision.out.filter((n) => !left.includes(n));
	return {
		kind: 'done', path: 'bridge', fate: 'forwarded',
		summary: `${verb} by ${bridge.name} from ${port.name} out ${left.join(', ')}${refused.length ? ` (not out ${refused.join(', ')}: ${lastStop?.text ?? 'dropped'})` : ''}`,
	};

	function up(d: Decision): BridgeResult {
		// br_pass_frame_up: with vlan filtering, the bridge device itself must be in the frame's vlan.
		if (bridge.vlanFiltering && vid !== undefined && bridge.vlans.length && !inVlans(bridge.vlans, vid)) {
			const reason = `${d.reason}; but ${bridge.name} itself is not in vlan ${vid}, so the frame is not handed up`;
			if (d.action === 'up') return dropped(reason, nf.on, 'input');
			t.note(reason);
			return { kind: 'done', path: 'bridge', fate: 'forwarded', summary: `FLOODED by ${bridge.name} from ${port.name} out ${d.out.join(', ')} (not handed up: ${bridge.name} is not in vlan ${vid})` };
		}
		if (d.action === 'up') step(d, nf.on);
		if (d.otherhost) {
			t.verdict = { table: null, chain: null, rule: null, target: null, text: d.reason };
			return { kind: 'done', path: 'input', fate: 'dropped', summary: `DROPPED: ${d.reason}` };
		}
		packet.in = bridge.name;
		packet.out = undefined;
		packet.physOut = undefined;
		if (d.alsoUp) t.note(`a copy of the ${d.action === 'flood' ? 'flooded ' : ''}frame goes up to ${bridge.name}: the rest of the trace follows that copy`);
		if (!nf.on) {
			// No br_netfilter: no physdev information; the IP layer's own PREROUTING sees the frame on the bridge.
			packet.physIn = undefined;
			t.note(`handed up to ${bridge.name}: ${tool} sees it on ${bridge.name} as a routed packet, without bridge port information (${nf.why})`);
		} else {
			t.note(`handed up to ${bridge.name}: PREROUTING ran in the bridge and is not run again; INPUT sees -i ${bridge.name} and --physdev-in ${port.name}`);
		}
		return { kind: 'up', preroutingDone };
	}
}

/**
 * The TCP RST the kernel answers a frame br_netfilter handed to iptables with: nf_send_reset builds its
 * Ethernet header from the refused frame's and queues it straight on the bridge port the frame came in by,
 * so OUTPUT and POSTROUTING never see it.
 */
export function resetOutPort(reply: Packet, port: string): Trace {
	const json = packetToJson(reply);
	const text = `the RST for a bridged frame is sent straight out ${port} (br_netfilter): OUTPUT and POSTROUTING do not see it`;
	return {
		packet: json, path: 'output', fate: 'sent',
		verdict: { table: null, chain: null, rule: null, target: null, text },
		summary: `SENT straight out bridge port ${port}, past OUTPUT and POSTROUTING`,
		steps: [{ kind: 'note', text }], hits: [], assumptions: [], branches: [], final: { ...json, out: port },
	};
}
