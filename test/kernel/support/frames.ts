// Exact Ethernet / IPv4 / IPv6 + TCP / UDP / ICMP / ICMPv6 frames with correct checksums, a minimal
// classic-pcap writer (for tcpreplay), and a small parser used to recognise frames the kernel sends
// back (ICMP errors, TCP RSTs) or forwards. No dependencies; nothing from source/.

import { writeFileSync } from 'node:fs';
import { pcapFile } from '../../../bench/capture-gen.js';

export type L4Proto = 'tcp' | 'udp' | 'icmp' | 'icmpv6';

/** A plain description of one packet. Unset fields get the defaults noted. */
export interface FrameSpec {
  family: 4 | 6;
  /** 'icmp' is for IPv4, 'icmpv6' for IPv6; a number is a bare IP protocol with `payload` as its body. */
  proto: L4Proto | number;
  src: string;
  dst: string;
  sport?: number;               // default 40000
  dport?: number;               // default 80
  /** 'SYN,ACK' or ['SYN','ACK']; default SYN. Names: FIN SYN RST PSH ACK URG ECE CWR. */
  tcpFlags?: string | string[];
  tcpSeq?: number;              // default 0x01020304
  tcpAck?: number;              // default 0 (set it when ACK is among the flags)
  tcpWindow?: number;           // default 64240
  icmpType?: number;            // default echo request (8, or 128 for ICMPv6)
  icmpCode?: number;            // default 0
  icmpId?: number;              // echo id, default 0x1234
  icmpSeq?: number;             // echo sequence, default 1
  srcMac?: string;              // default 02:00:00:00:00:01
  dstMac?: string;              // default 02:00:00:00:00:02
  ttl?: number;                 // TTL / hop limit, default 64
  tos?: number;                 // IPv4 TOS byte / IPv6 traffic class, default 0
  /** IPv4 identification; default 0x4e53. The harness sets a unique one to recognise the packet. */
  ipId?: number;
  /** IPv4: set DF; default false. */
  dontFragment?: boolean;
  /** IPv6 flow label (20 bits); default 0. The harness sets a unique one to recognise the packet. */
  flowLabel?: number;
  payload?: Uint8Array | string;
}

const TCP_FLAG_BITS: Record<string, number> = {
  FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10, URG: 0x20, ECE: 0x40, CWR: 0x80,
};

export function protoNumber(proto: L4Proto | number): number {
  if (typeof proto === 'number') return proto;
  switch (proto) {
    case 'tcp': return 6;
    case 'udp': return 17;
    case 'icmp': return 1;
    case 'icmpv6': return 58;
  }
}

export function tcpFlagsByte(flags: string | string[] | undefined): number {
  if (flags === undefined) return TCP_FLAG_BITS.SYN!;
  const list = Array.isArray(flags) ? flags : flags.split(/[,\s|]+/);
  let v = 0;
  for (const raw of list) {
    const f = raw.trim().toUpperCase();
    if (f === '' || f === 'NONE') continue;
    const bit = TCP_FLAG_BITS[f];
    if (bit === undefined) throw new Error(`unknown TCP flag ${raw}`);
    v |= bit;
  }
  return v;
}

export function tcpFlagNames(byte: number): string[] {
  return Object.entries(TCP_FLAG_BITS).filter(([, b]) => (byte & b) !== 0).map(([n]) => n);
}

// ---------------------------------------------------------------- addresses

export function parseMac(mac: string): Buffer {
  const parts = mac.split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) throw new Error(`bad MAC ${mac}`);
  return Buffer.from(parts.map((p) => parseInt(p, 16)));
}

export function formatMac(b: Uint8Array): string {
  return Array.from(b.subarray(0, 6), (x) => x.toString(16).padStart(2, '0')).join(':');
}

export function parseIPv4(addr: string): Buffer {
  const parts = addr.split('.');
  if (parts.length !== 4) throw new Error(`bad IPv4 address ${addr}`);
  const out = Buffer.alloc(4);
  parts.forEach((p, i) => {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) throw new Error(`bad IPv4 address ${addr}`);
    out[i] = Number(p);
  });
  return out;
}

export function parseIPv6(addr: string): Buffer {
  let a = addr.replace(/%.*$/, '');
  const out = Buffer.alloc(16);
  // trailing dotted quad
  const m = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  let tail4: Buffer | null = null;
  if (m) {
    tail4 = parseIPv4(m[2]!);
    a = m[1] + '0:0';
  }
  const halves = a.split('::');
  if (halves.length > 2) throw new Error(`bad IPv6 address ${addr}`);
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const groups = halves.length === 2
    ? [...head, ...Array(8 - head.length - tail.length).fill('0'), ...tail]
    : head;
  if (groups.length !== 8) throw new Error(`bad IPv6 address ${addr}`);
  groups.forEach((g, i) => {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) throw new Error(`bad IPv6 address ${addr}`);
    out.writeUInt16BE(parseInt(g, 16), i * 2);
  });
  if (tail4) tail4.copy(out, 12);
  return out;
}

export function formatIPv4(b: Uint8Array): string {
  return Array.from(b.subarray(0, 4)).join('.');
}

/** RFC 5952 text form (what `ip` and nft print). */
export function formatIPv6(b: Uint8Array): string {
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push((b[i]! << 8) | b[i + 1]!);
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (bestStart < 0) return hex.join(':');
  return hex.slice(0, bestStart).join(':') + '::' + hex.slice(bestStart + bestLen).join(':');
}

// ---------------------------------------------------------------- checksums

/** One's-complement sum of 16-bit big-endian words (not folded, not inverted). */
function sum16(buf: Uint8Array, acc = 0): number {
  let s = acc;
  const n = buf.length;
  for (let i = 0; i + 1 < n; i += 2) s += (buf[i]! << 8) | buf[i + 1]!;
  if (n % 2 === 1) s += buf[n - 1]! << 8;
  return s;
}

function fold(s: number): number {
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return s;
}

/** The Internet checksum (RFC 1071) of `parts` concatenated. */
export function internetChecksum(...parts: Uint8Array[]): number {
  let s = 0;
  for (const p of parts) {
    if (p.length % 2 !== 0 && p !== parts[parts.length - 1]) throw new Error('odd-length part before the last');
    s = sum16(p, s);
  }
  return (~fold(s)) & 0xffff;
}

function pseudoHeader(family: 4 | 6, src: Buffer, dst: Buffer, proto: number, len: number): Buffer {
  if (family === 4) {
    const ph = Buffer.alloc(12);
    src.copy(ph, 0); dst.copy(ph, 4);
    ph[9] = proto;
    ph.writeUInt16BE(len, 10);
    return ph;
  }
  const ph = Buffer.alloc(40);
  src.copy(ph, 0); dst.copy(ph, 16);
  ph.writeUInt32BE(len, 32);
  ph[39] = proto;
  return ph;
}

// ---------------------------------------------------------------- builders

function payloadBytes(p: Uint8Array | string | undefined): Buffer {
  if (p === undefined) return Buffer.alloc(0);
  return typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p);
}

/** The transport segment (header + payload) with its checksum filled in. */
export function buildL4(spec: FrameSpec): Buffer {
  const family = spec.family;
  const src = family === 4 ? parseIPv4(spec.src) : parseIPv6(spec.src);
  const dst = family === 4 ? parseIPv4(spec.dst) : parseIPv6(spec.dst);
  const proto = protoNumber(spec.proto);
  const payload = payloadBytes(spec.payload);
  let seg: Buffer;
  let csumOff: number | null;
  let pseudo = true;
  switch (proto) {
    case 6: {
      seg = Buffer.alloc(20 + payload.length);
      seg.writeUInt16BE(spec.sport ?? 40000, 0);
      seg.writeUInt16BE(spec.dport ?? 80, 2);
      seg.writeUInt32BE((spec.tcpSeq ?? 0x01020304) >>> 0, 4);
      seg.writeUInt32BE((spec.tcpAck ?? 0) >>> 0, 8);
      seg[12] = 5 << 4;
      seg[13] = tcpFlagsByte(spec.tcpFlags);
      seg.writeUInt16BE(spec.tcpWindow ?? 64240, 14);
      payload.copy(seg, 20);
      csumOff = 16;
      break;
    }
    case 17: {
      seg = Buffer.alloc(8 + payload.length);
      seg.writeUInt16BE(spec.sport ?? 40000, 0);
      seg.writeUInt16BE(spec.dport ?? 80, 2);
      seg.writeUInt16BE(seg.length, 4);
      payload.copy(seg, 8);
      csumOff = 6;
      break;
    }
    case 1:
    case 58: {
      if (proto === 1 && family !== 4) throw new Error('icmp needs family 4 (use icmpv6)');
      if (proto === 58 && family !== 6) throw new Error('icmpv6 needs family 6');
      seg = Buffer.alloc(8 + payload.length);
      seg[0] = spec.icmpType ?? (proto === 1 ? 8 : 128);
      seg[1] = spec.icmpCode ?? 0;
      seg.writeUInt16BE(spec.icmpId ?? 0x1234, 4);
      seg.writeUInt16BE(spec.icmpSeq ?? 1, 6);
      payload.copy(seg, 8);
      csumOff = 2;
      pseudo = proto === 58;
      break;
    }
    default:
      seg = payload;
      csumOff = null;
  }
  if (csumOff !== null) {
    seg.writeUInt16BE(0, csumOff);
    let c = pseudo
      ? internetChecksum(pseudoHeader(family, src, dst, proto, seg.length), seg)
      : internetChecksum(seg);
    if (proto === 17 && c === 0) c = 0xffff;
    seg.writeUInt16BE(c, csumOff);
  }
  return seg;
}

/** The IP packet (header + transport), checksums filled in. This is what a raw IP_HDRINCL socket sends. */
export function buildIpPacket(spec: FrameSpec): Buffer {
  const l4 = buildL4(spec);
  const proto = protoNumber(spec.proto);
  if (spec.family === 4) {
    const h = Buffer.alloc(20);
    h[0] = 0x45;
    h[1] = spec.tos ?? 0;
    h.writeUInt16BE(20 + l4.length, 2);
    h.writeUInt16BE(spec.ipId ?? 0x4e53, 4);
    h.writeUInt16BE(spec.dontFragment ? 0x4000 : 0, 6);
    h[8] = spec.ttl ?? 64;
    h[9] = proto;
    parseIPv4(spec.src).copy(h, 12);
    parseIPv4(spec.dst).copy(h, 16);
    h.writeUInt16BE(internetChecksum(h), 10);
    return Buffer.concat([h, l4]);
  }
  const h = Buffer.alloc(40);
  const tc = spec.tos ?? 0;
  const fl = (spec.flowLabel ?? 0) & 0xfffff;
  h.writeUInt32BE(((6 << 28) | (tc << 20) | fl) >>> 0, 0);
  h.writeUInt16BE(l4.length, 4);
  h[6] = proto;
  h[7] = spec.ttl ?? 64;
  parseIPv6(spec.src).copy(h, 8);
  parseIPv6(spec.dst).copy(h, 24);
  return Buffer.concat([h, l4]);
}

/** The whole Ethernet II frame (no FCS). */
export function buildFrame(spec: FrameSpec): Buffer {
  const eth = Buffer.alloc(14);
  parseMac(spec.dstMac ?? '02:00:00:00:00:02').copy(eth, 0);
  parseMac(spec.srcMac ?? '02:00:00:00:00:01').copy(eth, 6);
  eth.writeUInt16BE(spec.family === 4 ? 0x0800 : 0x86dd, 12);
  return Buffer.concat([eth, buildIpPacket(spec)]);
}

// ---------------------------------------------------------------- pcap

/** A classic pcap (microsecond, little-endian, LINKTYPE_ETHERNET) holding `frames`, a microsecond apart. */
export function pcapBytes(frames: Uint8Array[], startSec = 1_700_000_000): Buffer {
  return Buffer.from(pcapFile(frames.map((data, i) => ({ sec: startSec, nsec: i * 1000, data })), { snaplen: 65535 }));
}

export function writePcap(path: string, frames: Uint8Array[]): void {
  writeFileSync(path, pcapBytes(frames));
}

// ---------------------------------------------------------------- parser

export interface ParsedPacket {
  family: 4 | 6;
  proto: number;
  src: string;
  dst: string;
  ttl: number;
  ipId?: number;          // IPv4
  flowLabel?: number;     // IPv6
  sport?: number;
  dport?: number;
  tcpFlags?: number;
  icmpType?: number;
  icmpCode?: number;
  /** For ICMP / ICMPv6 errors: the offending packet quoted inside (as far as it is present). */
  inner?: ParsedPacket;
}

/** Parse an IP packet (no link header); null when it is not IPv4/IPv6 or too short. */
export function parseIpPacket(b: Uint8Array, quoted = false): ParsedPacket | null {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  if (buf.length < 1) return null;
  const v = buf[0]! >> 4;
  let p: ParsedPacket;
  let l4: Buffer;
  if (v === 4) {
    if (buf.length < 20) return null;
    const ihl = (buf[0]! & 0x0f) * 4;
    p = {
      family: 4, proto: buf[9]!, src: formatIPv4(buf.subarray(12, 16)), dst: formatIPv4(buf.subarray(16, 20)),
      ttl: buf[8]!, ipId: buf.readUInt16BE(4),
    };
    l4 = buf.subarray(ihl);
  } else if (v === 6) {
    if (buf.length < 40) return null;
    p = {
      family: 6, proto: buf[6]!, src: formatIPv6(buf.subarray(8, 24)), dst: formatIPv6(buf.subarray(24, 40)),
      ttl: buf[7]!, flowLabel: buf.readUInt32BE(0) & 0xfffff,
    };
    l4 = buf.subarray(40);
  } else return null;
  if ((p.proto === 6 || p.proto === 17) && l4.length >= 4) {
    p.sport = l4.readUInt16BE(0);
    p.dport = l4.readUInt16BE(2);
    if (p.proto === 6 && l4.length >= 14) p.tcpFlags = l4[13]!;
  } else if ((p.proto === 1 || p.proto === 58) && l4.length >= 2) {
    const type = l4[0]!;
    p.icmpType = type;
    p.icmpCode = l4[1]!;
    const isError = p.proto === 1 ? [3, 4, 5, 11, 12].includes(type) : type < 128;
    if (isError && !quoted && l4.length > 8) p.inner = parseIpPacket(l4.subarray(8), true) ?? undefined;
  }
  return p;
}

/** Parse an Ethernet frame (also the all-zero header Linux puts on loopback). */
export function parseFrame(frame: Uint8Array): (ParsedPacket & { srcMac: string; dstMac: string }) | null {
  if (frame.length < 14) return null;
  const type = (frame[12]! << 8) | frame[13]!;
  if (type !== 0x0800 && type !== 0x86dd) return null;
  const p = parseIpPacket(frame.subarray(14));
  if (!p) return null;
  return { ...p, dstMac: formatMac(frame.subarray(0, 6)), srcMac: formatMac(frame.subarray(6, 12)) };
}
