import { ICMP6_NAMES, ICMP_NAMES } from '../netfilter/matches/icmp-types.js';
import { type Ip, parseIp } from './address.js';
import { type CtState, type Packet, PROTOCOL_NUMBERS, TCP_FLAGS } from './packet.js';
import { quoted } from '../views/safe-text.js';

/** A packet as the user describes it: flags or a tcpdump-like expression, all text. */
export interface PacketSpec {
	proto?: string;
	src?: string;
	dst?: string;
	sport?: string;
	dport?: string;
	in?: string;
	out?: string;
	srcMac?: string;
	/** The frame's destination MAC: decides what a bridge does with it (`dmac M`, --dst-mac). */
	dstMac?: string;
	icmpType?: string;
	tcpFlags?: string;
	mark?: string;
	state?: string;
	local?: boolean;
	length?: string;
	ttl?: string;
	uid?: string;
}

export class PacketSpecError extends Error {}

const STATES: readonly CtState[] = ['NEW', 'ESTABLISHED', 'RELATED', 'INVALID', 'UNTRACKED'];

function number(text: string, what: string, max: number): number {
	const value = /^0x[0-9a-f]+$/i.test(text) ? parseInt(text, 16) : /^\d+$/.test(text) ? Number(text) : NaN;
	if (!Number.isFinite(value) || value > max) throw new PacketSpecError(`${what} must be a number from 0 to ${max}, got ${quoted(text)}`);
	return value;
}

function address(text: string | undefined, what: string): Ip {
	if (text === undefined) throw new PacketSpecError(`the packet needs a ${what} address (--${what === 'source' ? 'src' : 'dst'})`);
	const ip = parseIp(text);
	if (!ip) throw new PacketSpecError(`${what} ${quoted(text)} is not an IP address`);
	return ip;
}

/** Splits "10.0.0.1:22" or "[fd00::1]:22" into address and port. */
function hostPort(text: string): { host: string; port?: string } {
	const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
	if (bracket) return { host: bracket[1]!, port: bracket[2] };
	const colons = text.split(':').length - 1;
	if (colons === 1) {
		const [host, port] = text.split(':');
		return { host: host!, port };
	}
	return { host: text };
}

/**
 * Reads `tcp 10.2.67.113:51000 > 10.0.0.1:22 in eth0` (also `out IF`, `mark N`, `state S`, `flags S`,
 * `type N[/C]`, `mac M` (source MAC), `dmac M` (destination MAC), `local`) into a spec; the arrow may be written `>` or `->`.
 */
export function parseExpression(words: readonly string[]): PacketSpec {
	const spec: PacketSpec = {};
	const rest = [...words];
	const next = (what: string) => {
		const word = rest.shift();
		if (word === undefined) throw new PacketSpecError(`expected ${what} at the end of the packet expression`);
		return word;
	};
	const first = rest[0];
	if (first && (PROTOCOL_NUMBERS[first.toLowerCase()] !== undefined || /^\d+$/.test(first))) spec.proto = rest.shift();
	const from = hostPort(next('a source address'));
	const arrow = next('">"');
	if (arrow !== '>' && arrow !== '->') throw new PacketSpecError(`expected ">" between source and destination, got ${quoted(arrow)}`);
	const to = hostPort(next('a destination address'));
	spec.src = from.host;
	spec.dst = to.host;
	if (from.port !== undefined) spec.sport = from.port;
	if (to.port !== undefined) spec.dport = to.port;
	while (rest.length) {
		const keyword = rest.shift()!;
		switch (keyword) {
			case 'in': spec.in = next('an interface after "in"'); break;
			case 'out': spec.out = next('an interface after "out"'); break;
			case 'mark': spec.mark = next('a mark after "mark"'); break;
			case 'state': spec.state = next('a state after "state"'); break;
			case 'flags': spec.tcpFlags = next('TCP flags after "flags"'); break;
			case 'type': spec.icmpType = next('an ICMP type after "type"'); break;
			case 'mac': spec.srcMac = next('a MAC address after "mac"'); break;
			case 'dmac': spec.dstMac = next('a MAC address after "dmac"'); break;
			case 'len': case 'length': spec.length = next('a length'); break;
			case 'ttl': spec.ttl = next('a TTL'); break;
			case 'uid': spec.uid = next('a uid'); break;
			case 'local': spec.local = true; break;
			default: throw new PacketSpecError(`unknown word ${quoted(keyword)} in the packet expression (expected in, out, mark, state, flags, type, mac, dmac, len, ttl, uid or local)`);
		}
	}
	return spec;
}

function parseIcmpType(text: string, family: 4 | 6): { type: number; code: number } {
	const named = (family === 4 ? ICMP_NAMES : ICMP6_NAMES)[text];
	if (named) return { type: named[0], code: named[1] ?? 0 };
	const m = /^(\d+)(?:\/(\d+))?$/.exec(text);
	if (!m) throw new PacketSpecError(`unknown ICMP type ${quoted(text)} (a number, number/code, or a name such as echo-request)`);
	return { type: number(m[1]!, 'ICMP type', 255), code: m[2] === undefined ? 0 : number(m[2], 'ICMP code', 255) };
}

/** Builds the engine's Packet from a spec, with the defaults a first packet of a connection has. */
export function packetFromSpec(spec: PacketSpec): Packet {
	const src = address(spec.src, 'source');
	const dst = address(spec.dst, 'destination');
	if (src.family !== dst.family) throw new PacketSpecError('source and destination must both be IPv4 or both IPv6');
	const family = src.family;
	const protoText = (spec.proto ?? (spec.icmpType ? (family === 4 ? 'icmp' : 'icmpv6') : 'tcp')).toLowerCase();
	const proto = /^\d+$/.test(protoText) ? number(protoText, 'protocol', 255) : PROTOCOL_NUMBERS[protoText === 'icmp' && family === 6 ? 'icmpv6' : protoText];
	if (proto === undefined) throw new PacketSpecError(`unknown protocol ${quoted(spec.proto ?? '')}`);
	const stateText = (spec.state ?? 'NEW').toUpperCase();
	if (!STATES.includes(stateText as CtState)) throw new PacketSpecError(`state must be one of ${STATES.join(', ')}, got ${quoted(spec.state ?? '')}`);
	const ctState = stateText as CtState;
	if (spec.in && spec.local) throw new PacketSpecError('a locally generated packet (--local) has no input interface (--in)');
	const packet: Packet = {
		family, proto, src, dst,
		mark: spec.mark === undefined ? 0 : number(spec.mark, 'mark', 0xffffffff),
		ctmark: 0,
		ctState,
		ctStateGiven: spec.state !== undefined,
		ct: {
			origSrc: src, origDst: dst, replSrc: dst, replDst: src, reply: false,
			seenReply: ctState === 'ESTABLISHED', assured: ctState === 'ESTABLISHED', confirmed: ctState !== 'NEW',
			snat: false, dnat: false,
		},
		local: spec.local === true,
		length: spec.length === undefined ? 60 : number(spec.length, 'length', 65535),
		ttl: spec.ttl === undefined ? 64 : number(spec.ttl, 'TTL', 255),
		tos: 0,
		fragment: false,
	};
	if (spec.in) packet.in = spec.in;
	if (spec.out) packet.out = spec.out;
	if (spec.srcMac) {
		if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(spec.srcMac)) throw new PacketSpecError(`${quoted(spec.srcMac)} is not a MAC address`);
		packet.srcMac = spec.srcMac.toLowerCase();
	}
	if (spec.dstMac) {
		if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(spec.dstMac)) throw new PacketSpecError(`destination MAC ${quoted(spec.dstMac)} is not a MAC address`);
		if (spec.local) throw new PacketSpecError('a locally generated packet (--local) has no destination MAC to give (--dst-mac is for frames arriving on an interface)');
		packet.dstMac = spec.dstMac.toLowerCase();
	}
	if (spec.uid !== undefined) packet.uid = number(spec.uid, 'uid', 0xffffffff);
	const hasPorts = proto === 6 || proto === 17 || proto === 132 || proto === 33 || proto === 136;
	if (hasPorts) {
		packet.sport = spec.sport === undefined ? 40000 : number(spec.sport, 'source port', 65535);
		packet.dport = spec.dport === undefined ? 0 : number(spec.dport, 'destination port', 65535);
		if (spec.dport === undefined) throw new PacketSpecError('a TCP/UDP packet needs a destination port (--dport)');
		packet.ct.origSport = packet.ct.replDport = packet.sport;
		packet.ct.origDport = packet.ct.replSport = packet.dport;
	} else if (spec.sport !== undefined || spec.dport !== undefined) {
		throw new PacketSpecError(`protocol ${quoted(protoText)} has no ports (--sport/--dport)`);
	}
	if (proto === 6) {
		const flags = spec.tcpFlags ?? (ctState === 'NEW' ? 'SYN' : 'ACK');
		packet.tcpFlags = 0;
		for (const name of flags.split(',')) {
			const bit = TCP_FLAGS[name.toUpperCase()];
			if (bit === undefined && name.toUpperCase() !== 'NONE') throw new PacketSpecError(`unknown TCP flag ${quoted(name)} (FIN, SYN, RST, PSH, ACK, URG, ECE, CWR)`);
			packet.tcpFlags |= bit ?? 0;
		}
	} else if (spec.tcpFlags) throw new PacketSpecError('--tcp-flags needs a TCP packet');
	if (proto === 1 || proto === 58) {
		const { type, code } = parseIcmpType(spec.icmpType ?? (proto === 1 ? '8' : '128'), family);
		packet.icmpType = type;
		packet.icmpCode = code;
	} else if (spec.icmpType) throw new PacketSpecError('--icmp-type needs an ICMP packet');
	return packet;
}
