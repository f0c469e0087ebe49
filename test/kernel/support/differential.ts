import { collectLiveHost } from '../../../source/host/collect.js';
import { buildHost } from '../../../source/host/model.js';
import { type PacketSpec, packetFromSpec } from '../../../source/packet/spec.js';
import { tracePacket } from '../../../source/trace/pipeline.js';
import type { Trace } from '../../../source/trace/model.js';
import { type KernelPacket, type KernelScenario, type KernelTraceResult, type ListenSpec, runKernelTrace } from './kernel-trace.js';
import { buildIpPacket } from './frames.js';
import { BRIDGE_TOPOLOGY, DEFAULT_TOPOLOGY, type TopologySpec } from './netns.js';

/** One packet against one ruleset, asked of the kernel and of netsleuth. */
export interface DifferentialCase {
	readonly name: string;
	readonly rules?: string;
	readonly rules6?: string;
	readonly packet: KernelPacket;
	/** The packet's conntrack state as netsleuth should assume it (the kernel sees a first packet: NEW). */
	readonly state?: string;
	readonly topology?: TopologySpec;
	readonly listen?: ListenSpec[];
}

export interface Comparison {
	readonly agree: boolean;
	readonly kernel: KernelTraceResult;
	readonly trace: Trace;
	/** The kernel's fate in netsleuth's words. */
	readonly kernelFate: string;
	/** Why they disagree, with both sides' hits, for the failure message. */
	readonly report: string;
}

function kernelFate(result: KernelTraceResult, local: boolean, bridged = false): string {
	const o = result.outcome;
	if (o.rejectSeen) return 'rejected';
	// REJECT traces as DROP; its ICMP error or RST is a new packet that OUTPUT/POSTROUTING may drop in turn.
	const last = result.hits.at(-1);
	if (last?.type === 'rule' && last.target === 'REJECT' && !o.passedInput && !o.forwarded && !o.sent) return 'rejected';
	if (local) {
		// A packet to the host itself loops back over lo through PREROUTING and INPUT.
		const loopedBack = o.passedInput || result.hits.some((h) => h.chain === 'PREROUTING' || h.chain === 'INPUT');
		if (!loopedBack) return o.sent ? 'sent' : 'dropped';
		if (o.passedInput) return 'delivered';
		return result.hits.at(-1)?.target === 'REJECT' ? 'rejected' : 'dropped';
	}
	if (o.passedInput) return 'delivered';
	if (o.forwarded) return 'forwarded';
	// A bridged frame iptables does not see (no br_netfilter) shows only by arriving at the server.
	if (bridged && o.arrived.some((a) => a.at === 'server')) return 'forwarded';
	return 'dropped';
}

const flags = (f: string | string[] | undefined) => (Array.isArray(f) ? f.join(',') : f);

/** The typed packet netsleuth gets for the frame the harness injects. */
export function specFor(c: DifferentialCase): PacketSpec {
	const p = c.packet;
	const proto = typeof p.proto === 'number' ? String(p.proto) : p.proto;
	const spec: PacketSpec = { proto, src: p.src, dst: p.dst };
	if (proto === 'tcp' || proto === 'udp') {
		spec.sport = String(p.sport ?? 40000);
		spec.dport = String(p.dport ?? 80);
	}
	if (proto === 'tcp') spec.tcpFlags = flags(p.tcpFlags) ?? 'SYN';
	if (proto === 'icmp' || proto === 'icmpv6') spec.icmpType = `${p.icmpType ?? (proto === 'icmp' ? 8 : 128)}/${p.icmpCode ?? 0}`;
	if (p.ttl !== undefined) spec.ttl = String(p.ttl);
	spec.length = String(buildIpPacket({ ...p, srcMac: p.srcMac ?? '', dstMac: p.dstMac ?? '' }).length);
	if (p.local) spec.local = true;
	else {
		spec.in = c.topology?.host?.clientIf?.name ?? DEFAULT_TOPOLOGY.hostClientIf.name;
		spec.srcMac = p.srcMac ?? c.topology?.client?.mac ?? DEFAULT_TOPOLOGY.client.mac;
		const bridge = c.topology?.host?.bridge;
		if (p.dstMac !== undefined) spec.dstMac = p.dstMac;
		else if (bridge) spec.dstMac = bridge.mac ?? BRIDGE_TOPOLOGY.bridge.mac;
	}
	if (c.state) spec.state = c.state;
	return spec;
}

/** Runs the case in namespaces, snapshots the host namespace with netsleuth's own collector, and traces the same packet. */
export async function compareWithKernel(c: DifferentialCase): Promise<Comparison> {
	const scenario: KernelScenario = {
		name: c.name,
		packet: c.packet,
		...(c.rules ? { rules: c.rules } : {}),
		...(c.rules6 ? { rules6: c.rules6 } : {}),
		...(c.topology ? { topology: c.topology } : {}),
		...(c.listen ? { listen: c.listen } : {}),
		inspect: (topo) => collectLiveHost(topo.host),
	};
	const kernel = await runKernelTrace(scenario);
	const collected = kernel.inspected as Awaited<ReturnType<typeof collectLiveHost>>;
	const host = buildHost(collected.raw);
	const trace = tracePacket(host.model, packetFromSpec(specFor(c)));
	const bridged = c.topology?.host?.bridge !== undefined;
	const fate = kernelFate(kernel, c.packet.local === true, bridged);
	const sameHits = JSON.stringify(kernel.hits) === JSON.stringify(trace.hits);
	// The kernel's answer to a refused packet is itself filtered on its way out: compare whether it left.
	const ours = trace.fate === 'rejected' && trace.reply && trace.reply.fate !== 'sent' ? (trace.verdict.target === 'REJECT' ? 'rejected' : 'dropped') : trace.fate;
	// Whether the answer left is checked where the harness can see it: IPv6 answers (ICMPv6 errors, RSTs) to
	// an injected frame did not reach the client's sniffer in these namespaces, even with every rule accepting.
	const answerVisible = c.packet.family === 4;
	const sameFate = fate === ours && (fate !== 'rejected' || !trace.reply || !answerVisible || (trace.reply.fate === 'sent') === kernel.outcome.rejectSeen);
	// Where the packet reached the server, the addresses it arrived with are NAT's result.
	const atServer = kernel.outcome.arrived.find((a) => a.at === 'server')?.packet;
	const arrived = atServer ? `${atServer.src}:${atServer.sport ?? ''} > ${atServer.dst}:${atServer.dport ?? ''}` : undefined;
	const left = `${trace.final.src}:${trace.final.sport ?? ''} > ${trace.final.dst}:${trace.final.dport ?? ''}`;
	const sameNat = arrived === undefined || trace.fate !== 'forwarded' || arrived === left;
	// Through a bridge, what the kernel forwarded left by bridging (path bridge), not by routing.
	const samePath = !bridged || fate !== 'forwarded' || trace.path === 'bridge';
	const show = (hits: readonly object[]) => hits.map((h) => `    ${JSON.stringify(h)}`).join('\n');
	const report = [
		`case ${c.name}: ${sameHits ? 'hits agree' : 'HITS DIFFER'}, ${sameFate ? 'fate agrees' : `FATE DIFFERS (kernel ${fate}, netsleuth ${trace.fate})`}${sameNat ? '' : `, ADDRESSES DIFFER (kernel ${arrived}, netsleuth ${left})`}${samePath ? '' : `, PATH DIFFERS (kernel bridged it, netsleuth path ${trace.path})`}`,
		'  kernel hits:', show(kernel.hits), '  netsleuth hits:', show(trace.hits),
		`  netsleuth: ${trace.summary}`,
		c.rules ? `  rules:\n${c.rules.split('\n').map((l) => `    ${l}`).join('\n')}` : '',
		c.rules6 ? `  rules6:\n${c.rules6.split('\n').map((l) => `    ${l}`).join('\n')}` : '',
	].join('\n');
	return { agree: sameHits && sameFate && sameNat && samePath, kernel, trace, kernelFate: fate, report };
}
