/**
 * Builds packets byte by byte and writes them as classic pcap (either byte order, µs or ns) or pcapng
 * (sections of either byte order, several interfaces, if_tsresol, simple packet blocks, unknown blocks).
 * Used by the capture tests (generated captures checked against tshark) and the capture benchmark.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

export type Bytes = Uint8Array;

function cat(...parts: Bytes[]): Bytes {
	return Buffer.concat(parts);
}

function be16(n: number): Bytes {
	return Uint8Array.of((n >>> 8) & 0xff, n & 0xff);
}

function be32(n: number): Bytes {
	return Uint8Array.of((n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

export function macBytes(text: string): Bytes {
	return Uint8Array.from(text.split(':').map((h) => parseInt(h, 16)));
}

export function ip4Bytes(text: string): Bytes {
	return Uint8Array.from(text.split('.').map(Number));
}

export function ip6Bytes(text: string): Bytes {
	const [head, tail] = text.includes('::') ? text.split('::') as [string, string] : [text, undefined];
	const h = head ? head.split(':') : [];
	const t = tail ? tail.split(':') : [];
	const groups = tail === undefined ? h : [...h, ...new Array<string>(8 - h.length - t.length).fill('0'), ...t];
	return cat(...groups.map((g) => be16(parseInt(g, 16))));
}

function checksum(data: Bytes): number {
	let sum = 0;
	for (let i = 0; i + 1 < data.length; i += 2) sum += (data[i]! << 8) | data[i + 1]!;
	if (data.length % 2 === 1) sum += data[data.length - 1]! << 8;
	while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
	return ~sum & 0xffff;
}

// ── link layers ──────────────────────────────────────────────────────────────────────────────────────

export function eth(dst: string, src: string, type: number, payload: Bytes): Bytes {
	return cat(macBytes(dst), macBytes(src), be16(type), payload);
}

export function vlan(vid: number, type: number, payload: Bytes, pcp = 0): Bytes {
	return cat(be16((pcp << 13) | vid), be16(type), payload);
}

export function sll(pktType: number, addr: string, protocol: number, payload: Bytes): Bytes {
	const a = macBytes(addr);
	const padded = new Uint8Array(8);
	padded.set(a);
	return cat(be16(pktType), be16(1), be16(a.length), padded, be16(protocol), payload);
}

export function sll2(ifindex: number, pktType: number, addr: string, protocol: number, payload: Bytes): Bytes {
	const a = macBytes(addr);
	const padded = new Uint8Array(8);
	padded.set(a);
	return cat(be16(protocol), be16(0), be32(ifindex), be16(1), Uint8Array.of(pktType, a.length), padded, payload);
}

/** BSD loopback header: the family in little-endian (the capturing host's order on x86). */
export function nullLink(family: number, payload: Bytes): Bytes {
	return cat(Uint8Array.of(family & 0xff, 0, 0, 0), payload);
}

export function arp(op: number, sha: string, spa: string, tha: string, tpa: string): Bytes {
	return cat(be16(1), be16(0x0800), Uint8Array.of(6, 4), be16(op), macBytes(sha), ip4Bytes(spa), macBytes(tha), ip4Bytes(tpa));
}

// ── network layers ───────────────────────────────────────────────────────────────────────────────────

export interface Ip4Options {
	ttl?: number;
	tos?: number;
	id?: number;
	df?: boolean;
	mf?: boolean;
	fragOffset?: number;
	options?: Bytes;
	totalLength?: number;
}

export function ipv4(src: string, dst: string, proto: number, payload: Bytes, o: Ip4Options = {}): Bytes {
	const options = o.options ?? new Uint8Array(0);
	const ihl = 20 + options.length;
	const header = cat(
		Uint8Array.of(0x40 | (ihl / 4), o.tos ?? 0), be16(o.totalLength ?? ihl + payload.length), be16(o.id ?? 1),
		be16((o.df ? 0x4000 : 0) | (o.mf ? 0x2000 : 0) | ((o.fragOffset ?? 0) / 8)), Uint8Array.of(o.ttl ?? 64, proto), be16(0),
		ip4Bytes(src), ip4Bytes(dst), options,
	);
	const sum = checksum(header);
	header[10] = sum >>> 8;
	header[11] = sum & 0xff;
	return cat(header, payload);
}

/** An IPv6 packet; `ext` are [type, bytes] extension headers, each given without its next-header byte. */
export function ipv6(src: string, dst: string, proto: number, payload: Bytes, ext: [number, Bytes][] = [], hopLimit = 64): Bytes {
	const chain: Bytes[] = [];
	for (let i = 0; i < ext.length; i++) {
		const next = i + 1 < ext.length ? ext[i + 1]![0] : proto;
		chain.push(cat(Uint8Array.of(next), ext[i]![1]));
	}
	const body = cat(...chain, payload);
	const first = ext.length > 0 ? ext[0]![0] : proto;
	return cat(be32(0x60000000), be16(body.length), Uint8Array.of(first, hopLimit), ip6Bytes(src), ip6Bytes(dst), body);
}

/** IPv6 fragment extension header body (7 bytes after the next-header byte). */
export function ip6Fragment(offset: number, more: boolean, id: number): Bytes {
	return cat(Uint8Array.of(0), be16(offset | (more ? 1 : 0)), be32(id));
}

/** A hop-by-hop or destination options header body with PadN to 8 bytes (7 bytes after next-header). */
export function ip6Options(): Bytes {
	return Uint8Array.of(0, 1, 4, 0, 0, 0, 0);
}

// ── transport layers ─────────────────────────────────────────────────────────────────────────────────

export interface TcpOptions {
	seq?: number;
	ack?: number;
	flags?: number;
	window?: number;
	options?: Bytes;
}

export const TCP_SYN_OPTIONS = Uint8Array.of(2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7);

export function tcp(sport: number, dport: number, payload: Bytes, o: TcpOptions = {}): Bytes {
	const options = o.options ?? new Uint8Array(0);
	const hlen = 20 + options.length;
	const flags = o.flags ?? 0x10;
	return cat(
		be16(sport), be16(dport), be32(o.seq ?? 1000), be32(o.ack ?? 0), Uint8Array.of(((hlen / 4) << 4) | ((flags >> 8) & 1), flags & 0xff),
		be16(o.window ?? 64240), be16(0), be16(0), options, payload,
	);
}

export function udp(sport: number, dport: number, payload: Bytes): Bytes {
	return cat(be16(sport), be16(dport), be16(8 + payload.length), be16(0), payload);
}

export function icmp(type: number, code: number, rest: Bytes): Bytes {
	const msg = cat(Uint8Array.of(type, code), be16(0), rest);
	const sum = checksum(msg);
	msg[2] = sum >>> 8;
	msg[3] = sum & 0xff;
	return msg;
}

export function icmpEcho(type: number, id: number, seq: number, data: Bytes = new Uint8Array(16)): Bytes {
	return icmp(type, 0, cat(be16(id), be16(seq), data));
}

export function icmpv6(type: number, code: number, rest: Bytes): Bytes {
	return cat(Uint8Array.of(type, code), be16(0), rest);
}

/** Neighbour solicitation for `target` with a source link-layer address option. */
export function neighborSolicitation(target: string, mac: string): Bytes {
	return icmpv6(135, 0, cat(be32(0), ip6Bytes(target), Uint8Array.of(1, 1), macBytes(mac)));
}

export function neighborAdvertisement(target: string, mac: string): Bytes {
	return icmpv6(136, 0, cat(Uint8Array.of(0x60, 0, 0, 0), ip6Bytes(target), Uint8Array.of(2, 1), macBytes(mac)));
}

export function routerAdvertisement(prefix: string, length: number, mac: string): Bytes {
	const prefixOption = cat(Uint8Array.of(3, 4, length, 0xc0), be32(86400), be32(14400), be32(0), ip6Bytes(prefix));
	return icmpv6(134, 0, cat(Uint8Array.of(64, 0), be16(1800), be32(0), be32(0), Uint8Array.of(1, 1), macBytes(mac), prefixOption));
}

// ── applications and tunnels ─────────────────────────────────────────────────────────────────────────

function dnsName(name: string): Bytes {
	return cat(...name.split('.').map((label) => cat(Uint8Array.of(label.length), Buffer.from(label, 'ascii'))), Uint8Array.of(0));
}

export function dnsQuery(id: number, name: string, qtype: number): Bytes {
	return cat(be16(id), be16(0x0100), be16(1), be16(0), be16(0), be16(0), dnsName(name), be16(qtype), be16(1));
}

export function dnsResponse(id: number, name: string, address: string): Bytes {
	return cat(
		be16(id), be16(0x8180), be16(1), be16(1), be16(0), be16(0), dnsName(name), be16(1), be16(1),
		be16(0xc00c), be16(1), be16(1), be32(300), be16(4), ip4Bytes(address),
	);
}

export function vxlan(vni: number, inner: Bytes): Bytes {
	return cat(Uint8Array.of(0x08, 0, 0, 0), be32(vni << 8), inner);
}

export function geneve(vni: number, protocol: number, inner: Bytes, options: Bytes = new Uint8Array(0)): Bytes {
	return cat(Uint8Array.of(options.length / 4, 0), be16(protocol), be32(vni << 8), options, inner);
}

export function gre(protocol: number, inner: Bytes, key?: number): Bytes {
	return key === undefined ? cat(be16(0), be16(protocol), inner) : cat(be16(0x2000), be16(protocol), be32(key), inner);
}

export function wireguardInitiation(sender: number): Bytes {
	const msg = new Uint8Array(148);
	msg[0] = 1;
	Buffer.from(msg.buffer).writeUInt32LE(sender, 4);
	return msg;
}

export function wireguardData(receiver: number, counter: number, length: number): Bytes {
	const msg = new Uint8Array(16 + length);
	msg[0] = 4;
	const view = Buffer.from(msg.buffer);
	view.writeUInt32LE(receiver, 4);
	view.writeUInt32LE(counter, 8);
	return msg;
}

// ── files ────────────────────────────────────────────────────────────────────────────────────────────

export interface CaptureRecord {
	/** Seconds and nanoseconds. */
	sec: number;
	nsec: number;
	data: Bytes;
	/** Original length (default: the data's length). */
	len?: number;
	iface?: number;
}

export interface PcapOptions {
	le?: boolean;
	nano?: boolean;
	linkType?: number;
	snaplen?: number;
}

function u16(n: number, le: boolean): Bytes {
	return le ? Uint8Array.of(n & 0xff, (n >>> 8) & 0xff) : be16(n);
}

function u32(n: number, le: boolean): Bytes {
	return le ? Uint8Array.of(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff) : be32(n);
}

export function pcapHeader(o: PcapOptions = {}): Bytes {
	const le = o.le ?? true;
	return cat(u32(o.nano ? 0xa1b23c4d : 0xa1b2c3d4, le), u16(2, le), u16(4, le), u32(0, le), u32(0, le), u32(o.snaplen ?? 262144, le), u32(o.linkType ?? 1, le));
}

export function pcapRecord(r: CaptureRecord, o: PcapOptions = {}): Bytes {
	const le = o.le ?? true;
	const frac = o.nano ? r.nsec : Math.floor(r.nsec / 1000);
	return cat(u32(r.sec, le), u32(frac, le), u32(r.data.length, le), u32(r.len ?? r.data.length, le), r.data);
}

export function pcapFile(records: CaptureRecord[], o: PcapOptions = {}): Bytes {
	return cat(pcapHeader(o), ...records.map((r) => pcapRecord(r, o)));
}

export interface NgInterface {
	linkType: number;
	name?: string;
	/** if_tsresol byte (default 6: microseconds). */
	tsresol?: number;
	snaplen?: number;
}

export interface NgSection {
	le: boolean;
	interfaces: NgInterface[];
	records: CaptureRecord[];
	/** Write the records as simple packet blocks (interface 0, no timestamp). */
	simple?: boolean;
	/** Put a custom block and a name resolution block before the packets. */
	extraBlocks?: boolean;
}

function block(type: number, body: Bytes, le: boolean): Bytes {
	const padded = cat(body, new Uint8Array((4 - (body.length % 4)) % 4));
	const total = padded.length + 12;
	return cat(u32(type, le), u32(total, le), padded, u32(total, le));
}

function option(code: number, value: Bytes, le: boolean): Bytes {
	return cat(u16(code, le), u16(value.length, le), value, new Uint8Array((4 - (value.length % 4)) % 4));
}

function unitsOf(tsresol: number): bigint {
	return tsresol & 0x80 ? 1n << BigInt(tsresol & 0x7f) : 10n ** BigInt(tsresol);
}

export function pcapngSection(s: NgSection): Bytes {
	const le = s.le;
	const blocks: Bytes[] = [block(0x0a0d0d0a, cat(u32(0x1a2b3c4d, le), u16(1, le), u16(0, le), u32(0xffffffff, le), u32(0xffffffff, le)), le)];
	for (const i of s.interfaces) {
		const opts: Bytes[] = [];
		if (i.name !== undefined) opts.push(option(2, Buffer.from(i.name, 'utf8'), le));
		if (i.tsresol !== undefined) opts.push(option(9, Uint8Array.of(i.tsresol), le));
		if (opts.length > 0) opts.push(option(0, new Uint8Array(0), le));
		blocks.push(block(1, cat(u16(i.linkType, le), u16(0, le), u32(i.snaplen ?? 0, le), ...opts), le));
	}
	if (s.extraBlocks) {
		blocks.push(block(0x00000bad, cat(u32(32473, le), Buffer.from('custom data')), le));
		blocks.push(block(4, cat(u16(1, le), u16(8, le), ip4Bytes('10.0.0.1'), Buffer.from('a\0\0\0'), u16(0, le), u16(0, le)), le));
	}
	for (const r of s.records) {
		if (s.simple) {
			// A simple packet block holds min(original length, snaplen) bytes.
			const snaplen = s.interfaces[0]?.snaplen ?? 0;
			const data = snaplen > 0 && r.data.length > snaplen ? r.data.subarray(0, snaplen) : r.data;
			blocks.push(block(3, cat(u32(r.len ?? r.data.length, le), data), le));
			continue;
		}
		const iface = s.interfaces[r.iface ?? 0]!;
		const units = unitsOf(iface.tsresol ?? 6);
		const ts = BigInt(r.sec) * units + (BigInt(r.nsec) * units) / 1000000000n;
		blocks.push(block(6, cat(u32(r.iface ?? 0, le), u32(Number(ts >> 32n), le), u32(Number(ts & 0xffffffffn), le), u32(r.data.length, le), u32(r.len ?? r.data.length, le), r.data), le));
	}
	return cat(...blocks);
}

export function pcapngFile(sections: NgSection[]): Bytes {
	return cat(...sections.map(pcapngSection));
}

// ── a mixed workload ─────────────────────────────────────────────────────────────────────────────────

const MAC_A = '02:00:00:00:00:0a';
const MAC_B = '02:00:00:00:00:0b';

/** A few hundred distinct Ethernet frames of the kinds a Kubernetes node sees: TCP, DNS, ICMP, IPv6, VLAN, VXLAN, ARP. */
export function mixedFrames(count = 400): Bytes[] {
	const frames: Bytes[] = [];
	for (let i = 0; frames.length < count; i++) {
		const a = `10.${(i >> 8) & 255}.${i & 255}.${(i * 7) & 255}`;
		const b = `172.16.${(i * 3) & 255}.${(i * 11) & 255}`;
		const port = 30000 + (i % 30000);
		const payload = new Uint8Array(100 + ((i * 37) % 300));
		switch (i % 8) {
			case 0:
				frames.push(eth(MAC_B, MAC_A, 0x0800, ipv4(a, b, 6, tcp(port, 443, new Uint8Array(0), { flags: 0x02, options: TCP_SYN_OPTIONS }))));
				break;
			case 1:
				frames.push(eth(MAC_A, MAC_B, 0x0800, ipv4(b, a, 6, tcp(443, port, payload, { flags: 0x18, seq: i, ack: i * 3 }))));
				break;
			case 2:
				frames.push(eth(MAC_B, MAC_A, 0x0800, ipv4(a, '10.96.0.10', 17, udp(port, 53, dnsQuery(i & 0xffff, `svc${i}.default.svc.cluster.local`, 1)))));
				break;
			case 3:
				frames.push(eth(MAC_B, MAC_A, 0x86dd, ipv6(`2001:db8::${(i & 0xffff).toString(16)}`, 'fd00::1', 6, tcp(port, 80, payload, { flags: 0x18 }))));
				break;
			case 4:
				frames.push(eth(MAC_B, MAC_A, 0x8100, vlan(100 + (i % 10), 0x0800, ipv4(a, b, 1, icmpEcho(8, i & 0xffff, i & 0xffff, payload.subarray(0, 56))))));
				break;
			case 5:
				frames.push(eth(MAC_B, MAC_A, 0x0800, ipv4('192.168.0.1', '192.168.0.2', 17, udp(port, 4789, vxlan(i & 0xffffff, eth(MAC_A, MAC_B, 0x0800, ipv4(a, b, 6, tcp(port, 8080, payload.subarray(0, 200)))))))));
				break;
			case 6:
				frames.push(eth(MAC_A, MAC_B, 0x0800, ipv4(b, a, 17, udp(8125, port, payload))));
				break;
			default:
				frames.push(i % 16 === 7 ? eth('ff:ff:ff:ff:ff:ff', MAC_A, 0x0806, cat(arp(1, MAC_A, a, '00:00:00:00:00:00', b), new Uint8Array(18))) : eth(MAC_B, MAC_A, 0x0800, ipv4(a, b, 4, ipv4(b, a, 6, tcp(port, 179, payload)))));
		}
	}
	return frames;
}

/** Writes a classic pcap of `packets` frames cycling through `mixedFrames()`, streaming (constant memory). Returns the bytes written. */
export function writeMixedPcap(path: string, packets: number): number {
	const frames = mixedFrames();
	const fd = openSync(path, 'w');
	let bytes = 0;
	try {
		const header = pcapHeader();
		writeSync(fd, header);
		bytes += header.length;
		const chunk = Buffer.alloc(4 << 20);
		let used = 0;
		const start = 1_700_000_000;
		for (let n = 0; n < packets; n++) {
			const data = frames[n % frames.length]!;
			if (used + 16 + data.length > chunk.length) {
				writeSync(fd, chunk, 0, used);
				bytes += used;
				used = 0;
			}
			const usec = n * 37;
			chunk.writeUInt32LE(start + Math.floor(usec / 1e6), used);
			chunk.writeUInt32LE(usec % 1e6, used + 4);
			chunk.writeUInt32LE(data.length, used + 8);
			chunk.writeUInt32LE(data.length, used + 12);
			chunk.set(data, used + 16);
			used += 16 + data.length;
		}
		writeSync(fd, chunk, 0, used);
		bytes += used;
	} finally {
		closeSync(fd);
	}
	return bytes;
}
