import { execFileSync, spawnSync } from 'node:child_process';
import type { DecodedPacket, Layer } from '../../../source/capture/decode/packet.js';
import { epochText } from '../../../source/capture/timestamp.js';

/**
 * Field-by-field comparison with tshark: the fields below as tshark prints them (`-T fields`, every
 * occurrence, reassembly off), and the same fields computed from netsleuth's decoded layers.
 */
export const FIELDS = [
	'frame.number', 'frame.interface_id', 'frame.time_epoch', 'frame.cap_len', 'frame.len', 'frame.protocols',
	'eth.src', 'eth.dst', 'eth.type',
	'vlan.id', 'vlan.priority', 'vlan.etype', 'ieee8021ad.id', 'ieee8021ad.priority',
	'sll.pkttype', 'sll.hatype', 'sll.etype', 'sll.ifindex',
	'arp.opcode', 'arp.src.hw_mac', 'arp.src.proto_ipv4', 'arp.dst.hw_mac', 'arp.dst.proto_ipv4',
	'ip.version', 'ip.hdr_len', 'ip.dsfield', 'ip.len', 'ip.id', 'ip.flags.df', 'ip.flags.mf', 'ip.frag_offset', 'ip.ttl', 'ip.proto', 'ip.src', 'ip.dst',
	'ipv6.plen', 'ipv6.nxt', 'ipv6.hlim', 'ipv6.src', 'ipv6.dst', 'ipv6.fraghdr.offset', 'ipv6.fraghdr.more', 'ipv6.fraghdr.ident',
	'tcp.srcport', 'tcp.dstport', 'tcp.seq', 'tcp.ack', 'tcp.hdr_len', 'tcp.flags', 'tcp.window_size_value', 'tcp.urgent_pointer',
	'tcp.options.mss_val', 'tcp.options.wscale.shift', 'tcp.options.timestamp.tsval', 'tcp.options.timestamp.tsecr',
	'udp.srcport', 'udp.dstport', 'udp.length',
	'icmp.type', 'icmp.code', 'icmp.ident', 'icmp.seq', 'icmp.redir_gw', 'icmp.mtu',
	'icmpv6.type', 'icmpv6.code', 'icmpv6.echo.identifier', 'icmpv6.echo.sequence_number', 'icmpv6.mtu',
	'icmpv6.nd.ns.target_address', 'icmpv6.nd.na.target_address', 'icmpv6.opt.linkaddr', 'icmpv6.opt.prefix',
	'dns.id', 'dns.flags.response', 'dns.flags.opcode', 'dns.flags.rcode', 'dns.count.queries', 'dns.count.answers', 'dns.qry.name', 'dns.qry.type',
	'vxlan.vni', 'geneve.vni', 'geneve.proto_type', 'gre.proto', 'gre.key', 'gre.sequence_number',
	'wg.type', 'wg.sender', 'wg.receiver', 'wg.counter',
] as const;

export type Field = (typeof FIELDS)[number];

const AGGREGATOR = '\x01';
const SEPARATOR = '\x02';

export function tsharkAvailable(): boolean {
	return spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** tshark's fields for every frame of a file: one map per frame, every occurrence in order. */
export function tsharkFrames(file: string, decodeAs: string[] = []): Map<Field, string[]>[] {
	const args = [
		'-r', file, '-n', '-T', 'fields', '-E', 'occurrence=a', '-E', `aggregator=${AGGREGATOR}`, '-E', `separator=${SEPARATOR}`,
		'-o', 'ip.defragment:FALSE', '-o', 'ipv6.defragment:FALSE', '-o', 'tcp.desegment_tcp_streams:FALSE',
		'-o', 'tcp.analyze_sequence_numbers:FALSE', '-o', 'tcp.relative_sequence_numbers:FALSE', ...decodeAs.flatMap((d) => ['-d', d]),
		...FIELDS.flatMap((f) => ['-e', f]),
	];
	let out: string;
	try {
		out = execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 });
	} catch (error) {
		// tshark exits non-zero on a damaged file after printing the frames before the damage.
		out = (error as { stdout?: string }).stdout ?? '';
	}
	const frames = out.split('\n').filter((line) => line !== '').map((line) => {
		const values = line.split(SEPARATOR);
		const map = new Map<Field, string[]>();
		FIELDS.forEach((field, i) => map.set(field, values[i] ? values[i]!.split(AGGREGATOR) : []));
		return map;
	});
	// tshark shows pcapng's custom and other non-packet blocks as frames of their own, without an interface:
	// drop them, and with them tshark's frame numbers.
	// tcp.flags holds the three reserved bits too; netsleuth keeps the nine flags.
	for (const f of frames) f.set('tcp.flags', f.get('tcp.flags')!.map((v) => hex(parseInt(v, 16) & 0x1ff, 4)));
	const packets = frames.filter((f) => f.get('frame.interface_id')!.length > 0);
	if (packets.length === 0 || packets.length === frames.length) return frames;
	for (const f of packets) f.set('frame.number', []);
	return packets;
}

const hex = (n: number, digits: number): string => `0x${n.toString(16).padStart(digits, '0')}`;

/** Protocol names of tshark's frame.protocols that netsleuth's layers correspond to. */
const PROTOCOL_LAYERS: Record<string, string> = {
	eth: 'eth', vlan: 'vlan', ieee8021ad: 'vlan', sll: 'sll', null: 'null', arp: 'arp', ip: 'ipv4', ipv6: 'ipv6', tcp: 'tcp', udp: 'udp',
	icmp: 'icmp', icmpv6: 'icmpv6', dns: 'dns', vxlan: 'vxlan', geneve: 'geneve', gre: 'gre', wg: 'wireguard',
};
/** Names in frame.protocols that are not layers of their own (parts of one, or undecoded data). */
const PROTOCOL_SKIP = new Set(['ethertype', 'data', 'raw', 'ipv6.hopopts', 'ipv6.routing', 'ipv6.fraghdr', 'ipv6.dstopts', 'ipv6.shim6', 'ah', 'ipv6.mipv6', 'loop']);

/** tshark's frame.protocols as netsleuth layer names, up to the first protocol netsleuth does not decode. */
export function tsharkLayers(protocols: string): string[] {
	const layers: string[] = [];
	for (const name of protocols.split(':')) {
		if (name === '' || PROTOCOL_SKIP.has(name)) continue;
		const layer = PROTOCOL_LAYERS[name];
		if (layer === undefined) break;
		layers.push(layer);
	}
	return layers;
}

/** The same fields computed from netsleuth's decoding. */
export function ourFields(d: DecodedPacket): Map<Field, string[]> {
	const m = new Map<Field, string[]>();
	const add = (field: Field, value: string | number | boolean | undefined): void => {
		if (value === undefined) return;
		const text = typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
		let list = m.get(field);
		if (list === undefined) m.set(field, (list = []));
		list.push(text);
	};
	const f = d.frame;
	add('frame.number', f.n);
	if (f.iface !== 0 || f.ifName !== undefined) add('frame.interface_id', f.iface);
	if (f.hasTs) add('frame.time_epoch', epochText(f));
	add('frame.cap_len', f.caplen);
	add('frame.len', f.len);
	for (const layer of d.layers as Layer[]) {
		switch (layer.kind) {
			case 'eth':
				add('eth.dst', layer.dst);
				add('eth.src', layer.src);
				if (layer.type >= 0x600) add('eth.type', hex(layer.type, 4));
				break;
			case 'vlan':
				if (layer.tpid === 0x88a8) {
					add('ieee8021ad.priority', layer.pcp);
					add('ieee8021ad.id', layer.vid);
					break;
				}
				add('vlan.priority', layer.pcp);
				add('vlan.id', layer.vid);
				if (layer.type >= 0x600) add('vlan.etype', hex(layer.type, 4));
				break;
			case 'sll':
			case 'sll2':
				add('sll.pkttype', layer.pktType);
				add('sll.hatype', layer.hatype);
				add('sll.etype', layer.protocol >= 0x600 ? hex(layer.protocol, 4) : undefined);
				add('sll.ifindex', layer.ifindex);
				break;
			case 'arp':
				add('arp.opcode', layer.op);
				if (layer.hlen === 6) add('arp.src.hw_mac', layer.sha);
				if (layer.plen === 4 && layer.ptype === 0x0800) add('arp.src.proto_ipv4', layer.spa);
				if (layer.hlen === 6) add('arp.dst.hw_mac', layer.tha);
				if (layer.plen === 4 && layer.ptype === 0x0800) add('arp.dst.proto_ipv4', layer.tpa);
				break;
			case 'ipv4':
				add('ip.version', 4);
				add('ip.hdr_len', layer.ihl);
				add('ip.dsfield', hex(layer.tos, 2));
				add('ip.len', layer.totalLength);
				add('ip.id', hex(layer.id, 4));
				add('ip.flags.df', layer.df);
				add('ip.flags.mf', layer.mf);
				add('ip.frag_offset', layer.fragOffset / 8); // tshark counts 8-byte units
				add('ip.ttl', layer.ttl);
				add('ip.proto', layer.proto);
				add('ip.src', layer.src);
				add('ip.dst', layer.dst);
				break;
			case 'ipv6':
				add('ip.version', 6);
				add('ipv6.plen', layer.payloadLength);
				add('ipv6.nxt', layer.nextHeader);
				add('ipv6.hlim', layer.hopLimit);
				add('ipv6.src', layer.src);
				add('ipv6.dst', layer.dst);
				if (layer.fragment !== undefined) {
					add('ipv6.fraghdr.offset', layer.fragment.offset / 8);
					add('ipv6.fraghdr.more', layer.fragment.more);
					add('ipv6.fraghdr.ident', hex(layer.fragment.id, 8));
				}
				break;
			case 'tcp':
				add('tcp.srcport', layer.sport);
				add('tcp.dstport', layer.dport);
				add('tcp.seq', layer.seq);
				add('tcp.ack', layer.ack);
				add('tcp.hdr_len', layer.hlen);
				add('tcp.flags', hex(layer.flags, 4));
				add('tcp.window_size_value', layer.window);
				add('tcp.urgent_pointer', layer.urgent);
				add('tcp.options.mss_val', layer.mss);
				add('tcp.options.wscale.shift', layer.wscale);
				add('tcp.options.timestamp.tsval', layer.tsval);
				add('tcp.options.timestamp.tsecr', layer.tsecr);
				break;
			case 'udp':
				add('udp.srcport', layer.sport);
				add('udp.dstport', layer.dport);
				add('udp.length', layer.length);
				break;
			case 'icmp':
				add('icmp.type', layer.type);
				add('icmp.code', layer.code);
				add('icmp.ident', layer.id);
				add('icmp.seq', layer.seq);
				add('icmp.redir_gw', layer.gateway);
				add('icmp.mtu', layer.mtu);
				break;
			case 'icmpv6':
				add('icmpv6.type', layer.type);
				add('icmpv6.code', layer.code);
				add('icmpv6.echo.identifier', layer.id === undefined ? undefined : hex(layer.id, 4));
				add('icmpv6.echo.sequence_number', layer.seq);
				add('icmpv6.mtu', layer.mtu);
				if (layer.type === 135) add('icmpv6.nd.ns.target_address', layer.target);
				if (layer.type === 136) add('icmpv6.nd.na.target_address', layer.target);
				add('icmpv6.opt.linkaddr', layer.lladdr);
				for (const prefix of layer.prefixes ?? []) add('icmpv6.opt.prefix', prefix.slice(0, prefix.lastIndexOf('/')));
				break;
			case 'dns':
				add('dns.id', hex(layer.id, 4));
				add('dns.flags.response', layer.response);
				add('dns.flags.opcode', layer.opcode);
				if (layer.response) add('dns.flags.rcode', layer.rcode);
				add('dns.count.queries', layer.qdcount);
				add('dns.count.answers', layer.ancount);
				add('dns.qry.name', layer.qname);
				add('dns.qry.type', layer.qtype);
				break;
			case 'vxlan':
				add('vxlan.vni', layer.vni);
				break;
			case 'geneve':
				add('geneve.vni', hex(layer.vni, 6));
				add('geneve.proto_type', hex(layer.protocol, 4));
				break;
			case 'gre':
				add('gre.proto', hex(layer.protocol, 4));
				add('gre.key', layer.key === undefined ? undefined : hex(layer.key, 8));
				add('gre.sequence_number', layer.seq);
				break;
			case 'wireguard':
				add('wg.type', layer.msgType);
				add('wg.sender', layer.sender === undefined ? undefined : hex(layer.sender, 8));
				add('wg.receiver', layer.receiver === undefined ? undefined : hex(layer.receiver, 8));
				add('wg.counter', layer.counter);
				break;
			case 'null':
				break;
		}
	}
	return m;
}

export interface Difference {
	frame: number;
	field: string;
	tshark: string[];
	netsleuth: string[];
}

/**
 * Differences between tshark's fields and netsleuth's for one frame. `skip` fields (or every field of a
 * protocol, by its name) are not compared. `prefixOnly` fields may have fewer
 * values in netsleuth (tshark decodes further there, e.g. into a protocol netsleuth does not decode), but
 * the values netsleuth has must be tshark's first ones, in order.
 */
export function compareFrame(theirs: Map<Field, string[]>, ours: Map<Field, string[]>, d: DecodedPacket, prefixOnly: ReadonlySet<string>, skip: ReadonlySet<string> = new Set()): Difference[] {
	const differences: Difference[] = [];
	const frame = d.frame.n;
	const tl = tsharkLayers(theirs.get('frame.protocols')?.[0] ?? '');
	const ol = d.layers.map((l) => (l.kind === 'sll2' ? 'sll' : l.kind));
	const layersMatch = prefixOnly.has('layers') ? tl.slice(0, ol.length).join(':') === ol.join(':') && ol.length <= tl.length : tl.join(':') === ol.join(':');
	if (!layersMatch && !skip.has('layers')) differences.push({ frame, field: 'layers', tshark: tl, netsleuth: ol });
	for (const field of FIELDS) {
		if (field === 'frame.protocols' || field === 'frame.interface_id') continue;
		if (field === 'frame.number' && (theirs.get(field) ?? []).length === 0) continue;
		if ([...skip].some((s) => field === s || field.startsWith(`${s}.`))) continue;
		const t = theirs.get(field) ?? [];
		const o = ours.get(field) ?? [];
		const prefix = prefixOnly.has(field) || prefixOnly.has('*');
		const same = prefix ? o.length <= t.length && o.every((v, i) => v === t[i]) : o.length === t.length && o.every((v, i) => v === t[i]);
		if (!same) differences.push({ frame, field, tshark: t, netsleuth: o });
	}
	return differences;
}
