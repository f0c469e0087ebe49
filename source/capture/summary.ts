import { PROTOCOL_NUMBERS } from '../packet/packet.js';
import { HEX2 } from './decode/format.js';
import { MAX_SEQUENCES } from './decode/tables.js';
import type { DecodedPacket, DnsLayer, GreLayer, IcmpLayer, Icmpv6Layer, Ipv4Layer, Ipv6Layer, Layer, SllLayer, TcpLayer, Truncation, UdpLayer, WireguardLayer } from './decode/packet.js';
import { isoTime } from './timestamp.js';

/** IP protocol number → name ("tcp", "icmpv6", "ipip" …), the number as text when it has none. */
export const PROTOCOL_NAMES: string[] = Array.from({ length: 256 }, (_, n) => String(n));
for (const [name, n] of Object.entries(PROTOCOL_NUMBERS)) {
	if (name !== 'all' && name !== 'ipv6-icmp' && PROTOCOL_NAMES[n] === String(n)) PROTOCOL_NAMES[n] = name;
}
PROTOCOL_NAMES[0] = 'hopopt';

const ETHERTYPE_NAMES: Record<number, string> = {
	0x0800: 'ipv4', 0x0806: 'arp', 0x86dd: 'ipv6', 0x8100: 'vlan', 0x88a8: 'vlan', 0x8035: 'rarp', 0x8847: 'mpls',
	0x8848: 'mpls', 0x8863: 'pppoe-discovery', 0x8864: 'pppoe', 0x888e: 'eapol', 0x88cc: 'lldp', 0x8809: 'slow',
	0x88e5: 'macsec', 0x88f7: 'ptp', 0x8906: 'fcoe', 0x22f3: 'trill', 0x894f: 'nsh', 0x6558: 'teb', 0x88be: 'erspan',
	0x22eb: 'erspan', 0x880b: 'ppp', 0x2000: 'cdp', 0x2004: 'dtp', 0x9000: 'loopback',
};

const ICMP_TYPES: Record<number, string> = {
	0: 'echo reply', 3: 'destination unreachable', 4: 'source quench', 5: 'redirect', 8: 'echo request',
	9: 'router advertisement', 10: 'router solicitation', 11: 'time exceeded', 12: 'parameter problem',
	13: 'timestamp request', 14: 'timestamp reply', 15: 'information request', 16: 'information reply',
	17: 'address mask request', 18: 'address mask reply',
};
const UNREACHABLE: Record<number, string> = {
	0: 'net unreachable', 1: 'host unreachable', 2: 'protocol unreachable', 3: 'port unreachable',
	4: 'fragmentation needed', 5: 'source route failed', 9: 'net prohibited', 10: 'host prohibited',
	13: 'communication prohibited',
};
const ICMPV6_TYPES: Record<number, string> = {
	1: 'destination unreachable', 2: 'packet too big', 3: 'time exceeded', 4: 'parameter problem',
	128: 'echo request', 129: 'echo reply', 130: 'multicast listener query', 131: 'multicast listener report',
	132: 'multicast listener done', 133: 'router solicitation', 134: 'router advertisement',
	135: 'neighbor solicitation', 136: 'neighbor advertisement', 137: 'redirect', 143: 'multicast listener report v2',
};
const DNS_TYPES: Record<number, string> = {
	1: 'A', 2: 'NS', 5: 'CNAME', 6: 'SOA', 12: 'PTR', 15: 'MX', 16: 'TXT', 28: 'AAAA', 33: 'SRV', 35: 'NAPTR',
	39: 'DNAME', 41: 'OPT', 43: 'DS', 46: 'RRSIG', 47: 'NSEC', 48: 'DNSKEY', 50: 'NSEC3', 52: 'TLSA', 64: 'SVCB',
	65: 'HTTPS', 99: 'SPF', 252: 'AXFR', 255: 'ANY', 257: 'CAA',
};
const DNS_RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE'];
const WG_TYPES = ['', 'handshake initiation', 'handshake response', 'cookie reply', 'transport data'];
const TCP_FLAG_NAMES: [number, string][] = [[0x02, 'SYN'], [0x01, 'FIN'], [0x04, 'RST'], [0x08, 'PSH'], [0x10, 'ACK'], [0x20, 'URG'], [0x40, 'ECE'], [0x80, 'CWR'], [0x100, 'AE']];

function flagsText(flags: number): string {
	let text = '';
	for (const [bit, name] of TCP_FLAG_NAMES) if ((flags & bit) !== 0) text += text === '' ? name : `,${name}`;
	return text === '' ? 'none' : text;
}
/** Every nine-bit flags field's text, made once (a summary per packet needs one). */
const TCP_FLAGS_TEXTS = Array.from({ length: 0x200 }, (_, flags) => flagsText(flags));

/** The flags with the words around them in a summary, one piece to write. */
const TCP_FLAGS_PARTS = TCP_FLAGS_TEXTS.map((text) => ` [${text}] seq `);

export function tcpFlagsText(flags: number): string {
	return TCP_FLAGS_TEXTS[flags] ?? flagsText(flags);
}

function ethertypeName(type: number): string {
	return ETHERTYPE_NAMES[type] ?? `0x${type.toString(16).padStart(4, '0')}`;
}

/** The layer names of §3's "layers" list. */
export function layerNames(d: DecodedPacket): string[] {
	const names = new Array<string>(d.layers.length);
	for (let i = 0; i < d.layers.length; i++) names[i] = d.layers[i]!.kind;
	return names;
}

/** "tcp", "udp", "icmp" … for IP (the outermost IP header's protocol); "arp"; else the link's payload type. */
export function protocolOf(d: DecodedPacket): string {
	if (d.ip !== undefined) return PROTOCOL_NAMES[d.ip.proto]!;
	if (d.arp !== undefined) return 'arp';
	const link = d.layers[d.layers.length - 1];
	if (link === undefined) return 'unknown';
	if (link.kind === 'eth') return link.type < 0x600 ? 'llc' : ethertypeName(link.type);
	if (link.kind === 'vlan') return link.type < 0x600 ? 'llc' : ethertypeName(link.type);
	if (link.kind === 'sll' || link.kind === 'sll2') return link.protocol < 0x600 ? `sll-protocol-${link.protocol}` : ethertypeName(link.protocol);
	return link.kind;
}

/** Source and destination: IP addresses when there is an IP header, else link-layer addresses. */
export function sourceOf(d: DecodedPacket): string | null {
	if (d.ip !== undefined) return d.ip.src;
	if (d.eth !== undefined) return d.eth.src;
	if (d.sll !== undefined && d.sll.addr !== '') return d.sll.addr;
	return null;
}

export function destinationOf(d: DecodedPacket): string | null {
	if (d.ip !== undefined) return d.ip.dst;
	if (d.eth !== undefined) return d.eth.dst;
	return null;
}

export function truncationText(t: Truncation): string {
	return `truncated in the ${t.layer} header at byte ${t.offset}: ${t.need} bytes needed, ${t.have} captured`;
}

/** Where a summary part goes: a string, or straight into `pcap --json`'s byte buffer (json-writer.ts). */
export interface SummaryOut {
	text(value: string): void;
	int(value: number): void;
}

class SummaryText implements SummaryOut {
	value = '';
	text(value: string): void {
		this.value += value;
	}
	int(value: number): void {
		this.value += value;
	}
}

function writeTcp(layer: TcpLayer, out: SummaryOut): void {
	out.int(layer.sport);
	out.text(' > ');
	out.int(layer.dport);
	out.text(TCP_FLAGS_PARTS[layer.flags] ?? ` [${flagsText(layer.flags)}] seq `);
	out.int(layer.seq);
	if ((layer.flags & 0x10) !== 0) {
		out.text(' ack ');
		out.int(layer.ack);
	}
	out.text(' win ');
	out.int(layer.window);
	out.text(' len ');
	out.int(layer.payloadLength);
	if (layer.mss !== undefined) {
		out.text(' mss ');
		out.int(layer.mss);
	}
	if (layer.wscale !== undefined) {
		out.text(' wscale ');
		out.int(layer.wscale);
	}
	if (layer.sackPermitted) out.text(' sackOK');
}

function writeUdp(layer: UdpLayer, out: SummaryOut): void {
	out.int(layer.sport);
	out.text(' > ');
	out.int(layer.dport);
	out.text(' len ');
	out.int(layer.payloadLength);
}

/** Writes `text` as one part of the summary, after a space unless it is the first part. */
function part(out: SummaryOut, first: boolean, text: string): void {
	if (!first) out.text(' ');
	out.text(text);
}

function sllText(layer: SllLayer, last: boolean): string | undefined {
	const dir = layer.pktType === 4 ? 'out' : layer.pktType === 0 ? 'in' : undefined;
	const head = layer.kind === 'sll2' ? `if ${layer.ifindex}${dir ? ` ${dir}` : ''}` : dir;
	if (!last) return head;
	return `${head ? `${head} ` : ''}protocol ${ethertypeName(layer.protocol)}`;
}

function wireguardText(layer: WireguardLayer): string {
	let text = `wireguard ${WG_TYPES[layer.msgType]}`;
	if (layer.sender !== undefined) text += ` sender ${layer.sender}`;
	if (layer.receiver !== undefined) text += ` receiver ${layer.receiver}`;
	if (layer.counter !== undefined) text += ` counter ${layer.counter} len ${layer.dataLength}`;
	return text;
}

/** An IPv4 or IPv6 header's part: the addresses unless it is the outermost, the fragment, the protocol if last. */
function writeIp(layer: Ipv4Layer | Ipv6Layer, d: DecodedPacket, last: boolean, out: SummaryOut, first: boolean): boolean {
	let wrote = false;
	if (layer !== d.ip) {
		part(out, first, layer.src);
		out.text(' > ');
		out.text(layer.dst);
		wrote = true;
	}
	const fragment = layer.kind === 'ipv4' ? layer.mf || layer.fragOffset !== 0 : layer.fragment !== undefined;
	if (fragment) {
		part(out, first && !wrote, 'fragment id ');
		if (layer.kind === 'ipv4') writeFragment(layer.id, layer.fragOffset, layer.mf, out);
		else writeFragment(layer.fragment!.id, layer.fragment!.offset, layer.fragment!.more, out);
		wrote = true;
	}
	if (last) {
		part(out, first && !wrote, PROTOCOL_NAMES[layer.proto]!);
		wrote = true;
	}
	return wrote;
}

function writeFragment(id: number, offset: number, more: boolean, out: SummaryOut): void {
	out.int(id);
	out.text(' offset ');
	out.int(offset);
	if (more) out.text(' more');
}

function writeIcmp(layer: IcmpLayer, out: SummaryOut): void {
	out.text('icmp ');
	if (layer.type === 3) {
		const name = UNREACHABLE[layer.code];
		if (name !== undefined) out.text(name);
		else {
			out.text('unreachable code ');
			out.int(layer.code);
		}
	} else writeTypeAndCode(ICMP_TYPES, layer.type, layer.code, out);
	if (layer.id !== undefined) writeEchoIds(layer.id, layer.seq!, out);
	if (layer.gateway !== undefined) {
		out.text(' to ');
		out.text(layer.gateway);
	}
	writeIfThere(' mtu ', layer.mtu, out);
}

/** The type's name (or "type N"), and " code N" unless the code is 0. */
function writeTypeAndCode(names: Record<number, string>, type: number, code: number, out: SummaryOut): void {
	const name = names[type];
	if (name !== undefined) out.text(name);
	else {
		out.text('type ');
		out.int(type);
	}
	if (code !== 0) {
		out.text(' code ');
		out.int(code);
	}
}

/** A label and a number, when there is the number. */
function writeIfThere(label: string, value: number | undefined, out: SummaryOut): void {
	if (value === undefined) return;
	out.text(label);
	out.int(value);
}

function writeEchoIds(id: number, seq: number, out: SummaryOut): void {
	out.text(' id ');
	out.int(id);
	out.text(' seq ');
	out.int(seq);
}

function writeIcmpv6(layer: Icmpv6Layer, out: SummaryOut): void {
	out.text('icmp6 ');
	writeTypeAndCode(ICMPV6_TYPES, layer.type, layer.code, out);
	if (layer.id !== undefined) writeEchoIds(layer.id, layer.seq!, out);
	writeIfThere(' mtu ', layer.mtu, out);
	if (layer.target !== undefined) {
		out.text(layer.type === 135 ? ' who-has ' : ' tgt ');
		out.text(layer.target);
	}
	if (layer.lladdr !== undefined) {
		out.text(' lladdr ');
		out.text(layer.lladdr);
	}
	if (layer.prefixes !== undefined) {
		out.text(' prefix ');
		out.text(layer.prefixes.join(', '));
	}
}

function writeDns(layer: DnsLayer, out: SummaryOut): void {
	out.text(layer.response ? 'dns response 0x' : 'dns query 0x');
	out.text(HEX2[layer.id >> 8]!);
	out.text(HEX2[layer.id & 0xff]!);
	if (layer.qtype !== undefined) {
		out.text(' ');
		const type = DNS_TYPES[layer.qtype];
		if (type !== undefined) out.text(type);
		else {
			out.text('TYPE');
			out.int(layer.qtype);
		}
	}
	if (layer.qname !== undefined) {
		out.text(' ');
		out.text(layer.qname);
	}
	if (layer.opcode !== 0) {
		out.text(' opcode ');
		out.int(layer.opcode);
	}
	if (layer.response) {
		const rcode = DNS_RCODES[layer.rcode];
		if (rcode !== undefined) {
			out.text(' ');
			out.text(rcode);
		} else {
			out.text(' rcode ');
			out.int(layer.rcode);
		}
		out.text(' ');
		out.int(layer.ancount);
		out.text(layer.ancount === 1 ? ' answer' : ' answers');
	}
}

function writeGre(layer: GreLayer, last: boolean, out: SummaryOut): void {
	out.text(layer.version === 1 ? 'gre (pptp)' : 'gre');
	writeIfThere(' key ', layer.key, out);
	if (last) {
		out.text(' protocol ');
		out.text(ethertypeName(layer.protocol));
	}
	out.text(':');
}

/**
 * Writes one layer's part of the summary, after a space unless it is the first part, and says whether
 * it wrote anything (an outer header often has nothing to add: its fields are in their own columns).
 */
function writeLayer(layer: Layer, d: DecodedPacket, last: boolean, out: SummaryOut, first: boolean): boolean {
	switch (layer.kind) {
		case 'eth':
			if (!last) return false;
			if (layer.type < 0x600) {
				part(out, first, '802.3 length ');
				out.int(layer.type);
			} else {
				part(out, first, 'ethertype ');
				out.text(ethertypeName(layer.type));
			}
			return true;
		case 'sll':
		case 'sll2': {
			const text = sllText(layer, last);
			if (text === undefined) return false;
			part(out, first, text);
			return true;
		}
		case 'null':
			if (!last) return false;
			part(out, first, 'loopback family ');
			out.int(layer.family);
			return true;
		case 'vlan':
			part(out, first, 'vlan ');
			out.int(layer.vid);
			if (last) {
				if (layer.type < 0x600) {
					out.text(' 802.3 length ');
					out.int(layer.type);
				} else {
					out.text(' ethertype ');
					out.text(ethertypeName(layer.type));
				}
			}
			return true;
		case 'arp':
			if (layer.op === 1) {
				part(out, first, 'who-has ');
				out.text(layer.tpa);
				out.text(' tell ');
				out.text(layer.spa);
			} else if (layer.op === 2) {
				part(out, first, layer.spa);
				out.text(' is-at ');
				out.text(layer.sha);
			} else {
				part(out, first, 'arp op ');
				out.int(layer.op);
				out.text(' ');
				out.text(layer.spa);
				out.text(' > ');
				out.text(layer.tpa);
			}
			return true;
		case 'ipv4':
		case 'ipv6':
			return writeIp(layer, d, last, out, first);
		case 'tcp':
			if (!first) out.text(' ');
			writeTcp(layer, out);
			return true;
		case 'udp':
			if (!first) out.text(' ');
			writeUdp(layer, out);
			return true;
		case 'icmp':
			if (!first) out.text(' ');
			writeIcmp(layer, out);
			return true;
		case 'icmpv6':
			if (!first) out.text(' ');
			writeIcmpv6(layer, out);
			return true;
		case 'dns':
			if (!first) out.text(' ');
			writeDns(layer, out);
			return true;
		case 'vxlan':
		case 'geneve':
			part(out, first, layer.kind === 'vxlan' ? 'vxlan vni ' : 'geneve vni ');
			out.int(layer.vni);
			out.text(':');
			return true;
		case 'gre':
			if (!first) out.text(' ');
			writeGre(layer, last, out);
			return true;
		case 'wireguard':
			part(out, first, wireguardText(layer));
			return true;
	}
}

/**
 * Writes the packet's one-line summary, tcpdump-like, from the outermost header inwards (the addresses of
 * the outermost IP header are in their own columns), piece by piece: `pcap --json` writes it straight
 * into its byte buffer, with no string built.
 */
export function writeSummary(d: DecodedPacket, out: SummaryOut): void {
	const layers = d.layers;
	let first = true;
	for (let i = 0; i < layers.length; i++) {
		const layer = layers[i]!;
		if ((layer.kind === 'ipv4' || layer.kind === 'ipv6') && layer !== d.ip && i > 0) {
			const before = layers[i - 1]!.kind;
			const joint = before === 'icmp' || before === 'icmpv6' ? 'for' : before === 'ipv4' || before === 'ipv6' ? 'ipip' : '';
			if (joint !== '') {
				part(out, first, joint);
				first = false;
			}
		}
		if (writeLayer(layer, d, i === layers.length - 1, out, first)) first = false;
	}
	if (d.truncated !== undefined) {
		part(out, first, '[');
		out.text(truncationText(d.truncated));
		out.text(']');
		first = false;
	}
	if (d.notes !== undefined) {
		part(out, first, '[');
		out.text(d.notes.join('; '));
		out.text(']');
		first = false;
	}
	if (first && d.frame.caplen === 0) out.text('empty frame');
}

/** The summary as text (the table's column, the TUI's row). */
export function summarize(d: DecodedPacket): string {
	const out = new SummaryText();
	writeSummary(d, out);
	return out.value;
}

/** What depends on a packet's sequence of layer kinds alone: made once per sequence (decode/tables.ts numbers them). */
interface SequenceFacts {
	/** The "layers" array as JSON text, and as ASCII bytes (json-writer.ts copies them into its buffer). */
	json: string;
	jsonBytes: Uint8Array;
	hasDns: boolean;
}

const sequenceFacts: (SequenceFacts | undefined)[] = new Array<SequenceFacts | undefined>(MAX_SEQUENCES).fill(undefined);

function factsOf(d: DecodedPacket): SequenceFacts {
	const s = d.sequence;
	if (s < 0) return sequenceFactsOf(d);
	return (sequenceFacts[s] ??= sequenceFactsOf(d));
}

function sequenceFactsOf(d: DecodedPacket): SequenceFacts {
	const json = JSON.stringify(layerNames(d));
	return { json, jsonBytes: new Uint8Array(Buffer.from(json, 'latin1')), hasDns: d.layers.some((layer) => layer.kind === 'dns') };
}

/** The "layers" array as JSON text. */
export function layersJson(d: DecodedPacket): string {
	return factsOf(d).json;
}

/** layersJson's text as ASCII bytes. */
export function layersJsonBytes(d: DecodedPacket): Uint8Array {
	return factsOf(d).jsonBytes;
}

/**
 * Whether the summary may hold a character JSON must escape. Everything netsleuth writes into a summary
 * is printable ASCII without quotes or backslashes except a DNS name (printable, but it may hold both,
 * and \xHH escapes): checking those few is cheaper than scanning every summary.
 */
const NEEDS_ESCAPE = /["\\]/;

export function summaryNeedsEscape(d: DecodedPacket): boolean {
	if (!factsOf(d).hasDns) return false;
	const layers = d.layers;
	for (let i = 0; i < layers.length; i++) {
		const layer = layers[i]!;
		if (layer.kind === 'dns' && layer.qname !== undefined && NEEDS_ESCAPE.test(layer.qname)) return true;
	}
	return false;
}

const NON_ASCII = /[\u0080-\uffff]/g;

/** JSON text of a string, with every character outside ASCII escaped: JSON lines stay pure ASCII. */
export function asciiJson(value: unknown): string {
	return JSON.stringify(value).replace(NON_ASCII, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

let lastIfName: string | undefined;
let lastIfNameJson = '';

/**
 * The `pcap --json` line of §3, with its newline. Extra fields: "in" (the capture's interface name),
 * "truncated" and "notes". Built as one template (this runs a million times a second).
 */
export function jsonLine(d: DecodedPacket): string {
	const f = d.frame;
	const ts = isoTime(f);
	const src = sourceOf(d);
	const dst = destinationOf(d);
	const t = d.transport;
	const ports = t !== undefined && (t.kind === 'tcp' || t.kind === 'udp') ? `,"sport":${t.sport},"dport":${t.dport}` : '';
	let extra = '';
	if (f.ifName !== undefined) {
		if (f.ifName !== lastIfName) {
			lastIfName = f.ifName;
			lastIfNameJson = asciiJson(f.ifName);
		}
		extra += `,"in":${lastIfNameJson}`;
	}
	if (d.truncated !== undefined) extra += `,"truncated":${asciiJson(truncationText(d.truncated))}`;
	if (d.notes !== undefined) extra += `,"notes":${asciiJson(d.notes)}`;
	return `{"n":${f.n},"ts":${ts === null ? 'null' : `"${ts}"`},"caplen":${f.caplen},"len":${f.len},"layers":${layersJson(d)},"src":${src === null ? 'null' : `"${src}"`},"dst":${dst === null ? 'null' : `"${dst}"`},"proto":"${protocolOf(d)}"${ports},"summary":${summaryNeedsEscape(d) ? asciiJson(summarize(d)) : `"${summarize(d)}"`}${extra}}\n`;
}
