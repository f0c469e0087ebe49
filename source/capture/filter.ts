import { parseCidr, parseIp, type Cidr } from '../packet/address.js';
import { CaptureInputError } from './frame.js';
import { quoted } from '../views/safe-text.js';
import { ipv4, ipv6 } from './decode/format.js';
import type { DecodedPacket, Ipv4Layer, Ipv6Layer } from './decode/packet.js';

/**
 * `--filter`: a subset of tcpdump's filter language, evaluated on decoded packets.
 *
 *   host A · src host A · dst host A · src A · dst A        (IPv4 or IPv6; host also matches ARP's addresses)
 *   net CIDR · src net CIDR · dst net CIDR
 *   port N · src port N · dst port N · portrange N-M         (optionally after tcp or udp: tcp dst port 22)
 *   ether host MAC · ether src MAC · ether dst MAC
 *   tcp · udp · icmp · icmp6 · arp · ip · ip6 · vlan · vlan N
 *   and (&&) · or (||) · not (!) · ( … )
 *
 * Addresses, ports and protocols are those of the outermost IP header (what the host's firewall sees),
 * as in tcpdump; `vlan N` matches any tag with that id.
 */
export class FilterError extends CaptureInputError {}

type Dir = 0 | 1 | 2; // either, source, destination

export type FilterNode =
	| { t: 'and' | 'or'; a: FilterNode; b: FilterNode }
	| { t: 'not'; a: FilterNode }
	| { t: 'host'; dir: Dir; text: string }
	| { t: 'net'; dir: Dir; cidr: Cidr }
	| { t: 'port'; dir: Dir; proto: 0 | 6 | 17; lo: number; hi: number }
	| { t: 'ether'; dir: Dir; mac: string }
	| { t: 'proto'; name: 'tcp' | 'udp' | 'icmp' | 'icmp6' | 'arp' | 'ip' | 'ip6' }
	| { t: 'vlan'; vid: number | undefined };

interface Token {
	text: string;
	column: number;
}

function tokenize(expr: string): Token[] {
	const tokens: Token[] = [];
	const re = /\s*(\(|\)|&&|\|\||!|[^\s()!&|]+|[&|])/gy;
	let m: RegExpExecArray | null;
	while ((m = re.exec(expr)) !== null) {
		if (m[1] === undefined) break;
		tokens.push({ text: m[1], column: m.index + m[0].length - m[1].length + 1 });
	}
	return tokens;
}

const PROTOS = new Set(['tcp', 'udp', 'icmp', 'icmp6', 'arp', 'ip', 'ip6']);
const KEYWORDS = new Set(['and', 'or', 'not', 'host', 'net', 'port', 'portrange', 'src', 'dst', 'ether', 'vlan', ...PROTOS]);

/** Limits that keep parseFilter and matchFilter (both recursive) far from the stack's end. */
const MAX_NESTING = 100;
const MAX_TERMS = 1000;

class Parser {
	private i = 0;
	private depth = 0;
	private terms = 0;
	constructor(
		private readonly tokens: Token[],
		private readonly length: number,
	) {}

	private peek(): string | undefined {
		return this.tokens[this.i]?.text.toLowerCase();
	}

	private fail(expected: string): never {
		const token = this.tokens[this.i];
		const found = token === undefined ? 'the end' : quoted(token.text);
		throw new FilterError(`--filter: column ${token?.column ?? this.length + 1}: expected ${expected}, found ${found}`);
	}

	parse(): FilterNode {
		if (this.tokens.length === 0) this.fail('a filter expression');
		const node = this.or();
		if (this.i < this.tokens.length) this.fail('"and", "or" or the end of the expression');
		return node;
	}

	private or(): FilterNode {
		let node = this.and();
		while (this.peek() === 'or' || this.peek() === '||') {
			this.i++;
			node = { t: 'or', a: node, b: this.and() };
		}
		return node;
	}

	private and(): FilterNode {
		let node = this.unary();
		while (this.peek() === 'and' || this.peek() === '&&') {
			this.i++;
			node = { t: 'and', a: node, b: this.unary() };
		}
		return node;
	}

	private unary(): FilterNode {
		const word = this.peek();
		if (word === 'not' || word === '!' || word === '(') {
			// The parser and matchFilter recurse once per level: bound it, or a long argument overflows the stack.
			if (this.depth >= MAX_NESTING) this.fail(`at most ${MAX_NESTING} nested "not" and "("`);
			this.depth++;
			this.i++;
			let node: FilterNode;
			if (word === '(') {
				node = this.or();
				if (this.peek() !== ')') this.fail('")"');
				this.i++;
			} else node = { t: 'not', a: this.unary() };
			this.depth--;
			return node;
		}
		if (++this.terms > MAX_TERMS) this.fail(`at most ${MAX_TERMS} primitives`);
		return this.primitive();
	}

	private value(expected: string): Token {
		const token = this.tokens[this.i];
		if (token === undefined || KEYWORDS.has(token.text.toLowerCase()) || /^(\(|\)|!|&&|\|\|)$/.test(token.text)) this.fail(expected);
		this.i++;
		return token;
	}

	private address(): string {
		const token = this.value('an IPv4 or IPv6 address');
		const ip = parseIp(token.text);
		if (ip === undefined) {
			this.i--;
			this.fail('an IPv4 or IPv6 address');
		}
		const bytes = new Uint8Array(ip.words.length * 4);
		ip.words.forEach((w, k) => {
			bytes[4 * k] = w >>> 24;
			bytes[4 * k + 1] = (w >>> 16) & 0xff;
			bytes[4 * k + 2] = (w >>> 8) & 0xff;
			bytes[4 * k + 3] = w & 0xff;
		});
		return ip.family === 4 ? ipv4(bytes, 0) : ipv6(bytes, 0);
	}

	private port(): number {
		const token = this.value('a port number');
		if (!/^\d{1,5}$/.test(token.text) || Number(token.text) > 65535) {
			this.i--;
			this.fail('a port number (0-65535)');
		}
		return Number(token.text);
	}

	private portOrRange(range: boolean, dir: Dir, proto: 0 | 6 | 17): FilterNode {
		if (!range) {
			const port = this.port();
			return { t: 'port', dir, proto, lo: port, hi: port };
		}
		const token = this.value('a port range N-M');
		const m = /^(\d{1,5})-(\d{1,5})$/.exec(token.text);
		if (m === null || Number(m[1]) > 65535 || Number(m[2]) > 65535) {
			this.i--;
			this.fail('a port range N-M');
		}
		const a = Number(m[1]);
		const b = Number(m[2]);
		return { t: 'port', dir, proto, lo: Math.min(a, b), hi: Math.max(a, b) };
	}

	private primitive(): FilterNode {
		let word = this.peek();
		let proto: 0 | 6 | 17 = 0;
		if (word === 'tcp' || word === 'udp') {
			const next = this.tokens[this.i + 1]?.text.toLowerCase();
			if (next === 'port' || next === 'src' || next === 'dst' || next === 'portrange') {
				proto = word === 'tcp' ? 6 : 17;
				this.i++;
				word = this.peek();
			}
		}
		let dir: Dir = 0;
		if (word === 'src' || word === 'dst') {
			dir = word === 'src' ? 1 : 2;
			this.i++;
			word = this.peek();
			if (word !== 'host' && word !== 'net' && word !== 'port' && word !== 'portrange') {
				if (proto !== 0) this.fail('"port" or "portrange"');
				return { t: 'host', dir, text: this.address() };
			}
		}
		if (proto !== 0 && word !== 'port' && word !== 'portrange') this.fail('"port" or "portrange"');
		switch (word) {
			case 'host':
				this.i++;
				return { t: 'host', dir, text: this.address() };
			case 'net': {
				this.i++;
				const token = this.value('a network such as 10.0.0.0/8');
				const cidr = parseCidr(token.text);
				if (cidr === undefined) {
					this.i--;
					this.fail('a network such as 10.0.0.0/8');
				}
				return { t: 'net', dir, cidr };
			}
			case 'port':
			case 'portrange':
				this.i++;
				return this.portOrRange(word === 'portrange', dir, proto);
			case 'ether': {
				this.i++;
				let edir: Dir = 0;
				const w = this.peek();
				if (w === 'src' || w === 'dst') {
					edir = w === 'src' ? 1 : 2;
					this.i++;
				} else if (w === 'host') this.i++;
				else this.fail('"host", "src" or "dst" after "ether"');
				if (this.peek() === 'host') this.i++;
				const token = this.value('a MAC address');
				if (!/^[0-9a-f]{1,2}([:-][0-9a-f]{1,2}){5}$/i.test(token.text)) {
					this.i--;
					this.fail('a MAC address such as 02:00:00:00:00:01');
				}
				const mac = token.text.toLowerCase().split(/[:-]/).map((p) => p.padStart(2, '0')).join(':');
				return { t: 'ether', dir: edir, mac };
			}
			case 'vlan': {
				this.i++;
				const next = this.tokens[this.i];
				if (next !== undefined && /^\d+$/.test(next.text)) {
					if (Number(next.text) > 4095) this.fail('a VLAN id (0-4095)');
					this.i++;
					return { t: 'vlan', vid: Number(next.text) };
				}
				return { t: 'vlan', vid: undefined };
			}
			default:
				if (word !== undefined && PROTOS.has(word)) {
					this.i++;
					return { t: 'proto', name: word as 'tcp' };
				}
				return this.fail('a primitive (host, net, port, src, dst, ether, vlan, tcp, udp, icmp, icmp6, arp, ip, ip6), "not" or "("');
		}
	}
}

/** Parses a filter expression; a FilterError names the column where it goes wrong. */
export function parseFilter(expr: string): FilterNode {
	return new Parser(tokenize(expr), expr.length).parse();
}

function netMatch(d: DecodedPacket, ip: Ipv4Layer | Ipv6Layer, at: number, cidr: Cidr): boolean {
	if ((ip.kind === 'ipv4' ? 4 : 6) !== cidr.family) return false;
	const b = d.frame.buf;
	let o = d.frame.start + ip.offset + at;
	for (let k = 0; k < cidr.words.length; k++, o += 4) {
		const word = ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
		if (((word & cidr.mask[k]!) >>> 0) !== cidr.words[k]) return false;
	}
	return true;
}

/** Whether a decoded packet matches a parsed filter. */
export function matchFilter(node: FilterNode, d: DecodedPacket): boolean {
	switch (node.t) {
		case 'and':
			return matchFilter(node.a, d) && matchFilter(node.b, d);
		case 'or':
			return matchFilter(node.a, d) || matchFilter(node.b, d);
		case 'not':
			return !matchFilter(node.a, d);
		case 'host': {
			const ip = d.ip;
			if (ip !== undefined) return (node.dir !== 2 && ip.src === node.text) || (node.dir !== 1 && ip.dst === node.text);
			const arp = d.arp;
			if (arp !== undefined) return (node.dir !== 2 && arp.spa === node.text) || (node.dir !== 1 && arp.tpa === node.text);
			return false;
		}
		case 'net': {
			const ip = d.ip;
			if (ip === undefined) return false;
			const srcAt = ip.kind === 'ipv4' ? 12 : 8;
			const dstAt = ip.kind === 'ipv4' ? 16 : 24;
			return (node.dir !== 2 && netMatch(d, ip, srcAt, node.cidr)) || (node.dir !== 1 && netMatch(d, ip, dstAt, node.cidr));
		}
		case 'port': {
			const t = d.transport;
			if (t === undefined || (t.kind !== 'tcp' && t.kind !== 'udp')) return false;
			if (node.proto === 6 && t.kind !== 'tcp') return false;
			if (node.proto === 17 && t.kind !== 'udp') return false;
			return (node.dir !== 2 && t.sport >= node.lo && t.sport <= node.hi) || (node.dir !== 1 && t.dport >= node.lo && t.dport <= node.hi);
		}
		case 'ether': {
			const eth = d.eth;
			if (eth === undefined) return false;
			return (node.dir !== 2 && eth.src === node.mac) || (node.dir !== 1 && eth.dst === node.mac);
		}
		case 'proto': {
			const ip = d.ip;
			switch (node.name) {
				case 'ip':
					return ip?.kind === 'ipv4';
				case 'ip6':
					return ip?.kind === 'ipv6';
				case 'tcp':
					return ip !== undefined && ip.proto === 6;
				case 'udp':
					return ip !== undefined && ip.proto === 17;
				case 'icmp':
					return ip?.kind === 'ipv4' && ip.proto === 1;
				case 'icmp6':
					return ip?.kind === 'ipv6' && ip.proto === 58;
				case 'arp':
					return d.arp !== undefined;
			}
			return false;
		}
		case 'vlan': {
			for (const layer of d.layers) if (layer.kind === 'vlan' && (node.vid === undefined || layer.vid === node.vid)) return true;
			return false;
		}
	}
}
