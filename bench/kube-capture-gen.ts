/**
 * A capture of a kube-proxy node's traffic for the `pcap --trace` benchmark: TCP and UDP flows to the
 * dump's service cluster IPs (most), its NodePorts, its pods directly, and to no service, from clients
 * outside the cluster and from pods, many at a time and interleaved, so that the replay sees each
 * connection's first packet (NEW: KUBE-SERVICES, KUBE-SVC-*, KUBE-SEP-*, DNAT) and its later ones
 * (ESTABLISHED, both directions). Answers come from where the host's conntrack expects them: a
 * translated connection's from the endpoint the flow hash picked (found with the engine, as the replay
 * will). Classic pcap, Ethernet, deterministic (seeded).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { buildHost } from '../source/host/model.js';
import { formatIp, parseIp } from '../source/packet/address.js';
import { TCP_FLAGS } from '../source/packet/packet.js';
import { packetFromSpec } from '../source/packet/spec.js';
import { DecisionMemo } from '../source/trace/decision-memo.js';
import { type KubeDump, prng } from './kube-gen.js';
import { pcapHeader } from './capture-gen.js';
import { ipv4Checksum } from './pcap-gen.js';

const CHUNK = 4 << 20;
const { SYN, ACK, PSH, FIN } = TCP_FLAGS;
const SYN_ACK = SYN | ACK;
const PSH_ACK = PSH | ACK;
const FIN_ACK = FIN | ACK;
/** The node's own address (NodePorts): the dump alone does not say it, so the replay finds no NodePort local. */
const NODE = '192.168.0.10';

interface Flow {
	readonly proto: 6 | 17;
	readonly client: number;
	readonly sport: number;
	/** Where the client sends, and where the answers come from (the endpoint after DNAT). */
	readonly to: number;
	readonly dport: number;
	readonly from: number;
	readonly fromPort: number;
	/** The packets still to send: [client → server?, TCP flags, payload bytes]. */
	readonly script: [boolean, number, number][];
}

function word(text: string): number {
	return parseIp(text)!.words[0]!;
}

/** Writes the capture, `packets` long, a chunk at a time to `sink`. */
export function kubeCapture(dump: KubeDump, packets: number, sink: (chunk: Uint8Array) => void, seed = 1): void {
	const random = prng(seed);
	const host = buildHost({ iptables: dump.text }).model;
	const memo = new DecisionMemo(host);
	const services = dump.services.filter((s) => s.endpoints.length > 0);
	const nodePorts = services.filter((s) => s.nodePort !== undefined);
	const externals = Array.from({ length: 1500 }, (_, i) => word(`192.168.${1 + (i % 6)}.${1 + Math.floor(i / 6)}`));
	const pods = Array.from({ length: 500 }, (_, i) => word(`10.244.250.${1 + (i % 250)}`) + Math.floor(i / 250) * 256);
	let nextPort = 32768;

	const newFlow = (): Flow => {
		const client = random() < 0.8 ? externals[Math.floor(random() * externals.length)]! : pods[Math.floor(random() * pods.length)]!;
		const sport = (nextPort = nextPort >= 60999 ? 32768 : nextPort + 1);
		const kind = random();
		let proto: 6 | 17;
		let to: number;
		let dport: number;
		if (kind < 0.75) {
			const s = services[Math.floor(random() * services.length)]!;
			[proto, to, dport] = [s.proto === 'tcp' ? 6 : 17, word(s.clusterIP), s.port];
		} else if (kind < 0.83 && nodePorts.length > 0) {
			const s = nodePorts[Math.floor(random() * nodePorts.length)]!;
			[proto, to, dport] = [s.proto === 'tcp' ? 6 : 17, word(NODE), s.nodePort!];
		} else if (kind < 0.93) {
			const s = services[Math.floor(random() * services.length)]!;
			const e = s.endpoints[Math.floor(random() * s.endpoints.length)]!;
			[proto, to, dport] = [s.proto === 'tcp' ? 6 : 17, word(e.ip), e.port];
		} else [proto, to, dport] = [6, word(`10.97.${Math.floor(random() * 250)}.${1 + Math.floor(random() * 250)}`), 443];
		// The answers come from where the first packet went after the host's NAT.
		const first = packetFromSpec({ proto: proto === 6 ? 'tcp' : 'udp', src: formatIp({ family: 4, words: [client] }), dst: formatIp({ family: 4, words: [to] }), sport: String(sport), dport: String(dport) });
		const final = memo.decide(first).final;
		const script: [boolean, number, number][] = [];
		if (proto === 6) {
			script.push([true, SYN, 0], [false, SYN_ACK, 0], [true, ACK, 0]);
			// Mostly short exchanges, some long transfers.
			const exchanges = random() < 0.1 ? 50 + Math.floor(random() * 300) : 1 + Math.floor(random() * 12);
			for (let i = 0; i < exchanges; i++) script.push([true, PSH_ACK, 40 + Math.floor(random() * 400)], [false, PSH_ACK, 100 + Math.floor(random() * 1300)], [true, ACK, 0]);
			script.push([true, FIN_ACK, 0], [false, FIN_ACK, 0], [true, ACK, 0]);
		} else {
			const exchanges = 1 + Math.floor(random() * 4);
			for (let i = 0; i < exchanges; i++) script.push([true, 0, 30 + Math.floor(random() * 60)], [false, 0, 60 + Math.floor(random() * 400)]);
		}
		return { proto, client, sport, to, dport, from: final.dst.words[0]!, fromPort: final.dport ?? dport, script: script.reverse() };
	};

	let buf = Buffer.alloc(CHUNK);
	let at = 0;
	sink(pcapHeader());
	const active: Flow[] = Array.from({ length: 400 }, newFlow);
	let seconds = 1_764_000_000;
	let micros = 0;
	for (let n = 0; n < packets; n++) {
		if (at + 2048 > CHUNK) {
			sink(buf.subarray(0, at));
			buf = Buffer.alloc(CHUNK);
			at = 0;
		}
		micros += 1 + Math.floor(random() * 20);
		if (micros >= 1_000_000) {
			seconds++;
			micros -= 1_000_000;
		}
		const slot = Math.floor(random() * active.length);
		const flow = active[slot]!;
		const [forward, flags, size] = flow.script.pop()!;
		if (flow.script.length === 0) active[slot] = newFlow();
		const [src, dst, sport, dport] = forward ? [flow.client, flow.to, flow.sport, flow.dport] : [flow.from, flow.client, flow.fromPort, flow.sport];
		const record = at;
		at += 16;
		const frame = at;
		buf.writeUInt32BE(forward ? 0x02000000 : 0x02000001, at);
		buf.writeUInt16BE(0x0001, at + 4);
		buf.writeUInt32BE(forward ? 0x02000001 : 0x02000000, at + 6);
		buf.writeUInt16BE(0x0002, at + 10);
		buf.writeUInt16BE(0x0800, at + 12);
		at += 14;
		const ip = at;
		const l4 = ip + 20;
		let l4len: number;
		if (flow.proto === 6) {
			buf.writeUInt16BE(sport, l4);
			buf.writeUInt16BE(dport, l4 + 2);
			buf.writeUInt32BE((n * 2654435761) >>> 0, l4 + 4);
			buf.writeUInt32BE(flags & ACK ? (n * 40503) >>> 0 : 0, l4 + 8);
			buf.writeUInt16BE((5 << 12) | flags, l4 + 12);
			buf.writeUInt16BE(64240, l4 + 14);
			buf.writeUInt32BE(0, l4 + 16);
			buf.fill(0x61, l4 + 20, l4 + 20 + size);
			l4len = 20 + size;
		} else {
			buf.writeUInt16BE(sport, l4);
			buf.writeUInt16BE(dport, l4 + 2);
			buf.writeUInt16BE(8 + size, l4 + 4);
			buf.writeUInt16BE(0, l4 + 6);
			buf.fill(0x62, l4 + 8, l4 + 8 + size);
			l4len = 8 + size;
		}
		buf.writeUInt16BE(0x4500, ip);
		buf.writeUInt16BE(20 + l4len, ip + 2);
		buf.writeUInt16BE(n & 0xffff, ip + 4);
		buf.writeUInt16BE(0x4000, ip + 6);
		buf.writeUInt8(64, ip + 8);
		buf.writeUInt8(flow.proto, ip + 9);
		buf.writeUInt16BE(0, ip + 10);
		buf.writeUInt32BE(src, ip + 12);
		buf.writeUInt32BE(dst, ip + 16);
		ipv4Checksum(buf, ip);
		at = l4 + l4len;
		const length = at - frame;
		buf.writeUInt32LE(seconds, record);
		buf.writeUInt32LE(micros, record + 4);
		buf.writeUInt32LE(length, record + 8);
		buf.writeUInt32LE(length, record + 12);
	}
	sink(buf.subarray(0, at));
}

export function writeKubeCapture(file: string, dump: KubeDump, packets: number, seed = 1): void {
	const fd = openSync(file, 'w');
	try {
		kubeCapture(dump, packets, (chunk) => writeSync(fd, chunk), seed);
	} finally {
		closeSync(fd);
	}
}
