import { parseCidr } from '../../packet/address.js';
import type { Packet } from '../../packet/packet.js';
import type { OptionUse, ParseContext, TargetEnv, TargetExtension } from '../extension.js';
import { exclusive, hasConnection, hex, targetOptions } from './target-options.js';

/** xt_hmark_info as libxt_HMARK fills it. Masks of addresses are per 32-bit word (one for IPv4, four for IPv6). */
export interface HmarkOptions {
	readonly ct: boolean;
	readonly srcMask: readonly number[];
	readonly dstMask: readonly number[];
	/** Source/destination port masks and values ORed in (16 bits each); for ESP/AH the SPI in 32 bits. */
	readonly portMask: number;
	readonly portSet: number;
	readonly protoMask: number;
	readonly rnd: number;
	readonly modulus: number;
	readonly offset: number;
}

const OPTIONS = [
	'--hmark-tuple', '--hmark-src-prefix', '--hmark-dst-prefix', '--hmark-sport-mask', '--hmark-dport-mask', '--hmark-spi-mask',
	'--hmark-sport', '--hmark-dport', '--hmark-spi', '--hmark-proto-mask', '--hmark-rnd', '--hmark-mod', '--hmark-offset',
];
/** The tuple words, in the order libxt_HMARK tries them against a (possibly abbreviated) word. */
const TUPLE = ['ct', 'src', 'dst', 'sport', 'dport', 'proto', 'spi'] as const;

const rol32 = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;

/** The kernel's jhash_3words (include/linux/jhash.h). */
export function jhash3(a: number, b: number, c: number, initval: number): number {
	const init = (initval + 0xdeadbeef + (3 << 2)) >>> 0;
	a = (a + init) >>> 0;
	b = (b + init) >>> 0;
	c = (c + init) >>> 0;
	c ^= b; c = (c - rol32(b, 14)) >>> 0;
	a ^= c; a = (a - rol32(c, 11)) >>> 0;
	b ^= a; b = (b - rol32(a, 25)) >>> 0;
	c ^= b; c = (c - rol32(b, 16)) >>> 0;
	a ^= c; a = (a - rol32(c, 4)) >>> 0;
	b ^= a; b = (b - rol32(a, 14)) >>> 0;
	c ^= b; c = (c - rol32(b, 24)) >>> 0;
	return c >>> 0;
}

function prefixMask(ctx: ParseContext, use: OptionUse): number[] {
	const token = ctx.arg(use, 'a prefix length');
	const bits = ctx.family === 4 ? 32 : 128;
	const length = ctx.integer(token, 'prefix length', 0, bits);
	return [...parseCidr(`${ctx.family === 4 ? '0.0.0.0' : '::'}/${length}`)!.mask];
}

/** Folds an address to 32 bits as xt_HMARK does: IPv6 words masked and XORed together. */
function fold(words: readonly number[], mask: readonly number[]): number {
	let v = 0;
	for (let i = 0; i < words.length; i++) v ^= words[i]! & mask[i]!;
	return v >>> 0;
}

/** hmark_swap_ports: mask, OR in the set bits, then put the larger port in the high half. */
function ports(sport: number, dport: number, o: HmarkOptions): number {
	const both = (((((sport & 0xffff) << 16) | (dport & 0xffff)) & o.portMask) | o.portSet) >>> 0;
	const src = both >>> 16;
	const dst = both & 0xffff;
	return (dst > src ? (dst << 16) | src : (src << 16) | dst) >>> 0;
}

const PORT_PROTOCOLS = new Set([6, 17, 33, 132, 136]);
const ICMP_ERRORS = new Set([3, 4, 5, 11, 12]);

/** The mark xt_HMARK gives the packet, or undefined when the kernel leaves the mark alone (no connection with "ct"). */
export function hmark(o: HmarkOptions, packet: Packet, env: TargetEnv): number | undefined {
	let src: number;
	let dst: number;
	let proto = 0;
	let uports = 0;
	if (o.ct) {
		if (!hasConnection(packet, env)) return undefined;
		src = fold(packet.ct.origSrc.words, o.srcMask);
		dst = fold(packet.ct.replSrc.words, o.dstMask);
		proto = packet.proto;
		if (proto !== 1) {
			if (proto === 58) env.assume('HMARK ct: the ICMPv6 id in the conntrack tuple is not known to netsleuth; taken as 0');
			const withPorts = PORT_PROTOCOLS.has(proto);
			uports = ports(withPorts ? packet.ct.origSport ?? 0 : 0, withPorts ? packet.ct.replSport ?? 0 : 0, o);
		}
	} else {
		if ((packet.proto === 1 && packet.icmpType !== undefined && ICMP_ERRORS.has(packet.icmpType)) || (packet.proto === 58 && packet.icmpType !== undefined && packet.icmpType > 0 && packet.icmpType < 128)) {
			env.assume('HMARK hashes the header inside an ICMP error, which netsleuth does not have: the outer header is used instead');
		}
		src = fold(packet.src.words, o.srcMask);
		dst = fold(packet.dst.words, o.dstMask);
		proto = packet.proto;
		if (PORT_PROTOCOLS.has(proto) && !packet.fragment) uports = ports(packet.sport ?? 0, packet.dport ?? 0, o);
		else if ((proto === 50 || proto === 51) && !packet.fragment) {
			env.assume('HMARK hashes the ESP/AH SPI, which netsleuth does not have: taken as 0');
			uports = ports(0, 0, o);
		}
		if (packet.family === 4 && packet.fragment) uports = 0;
	}
	if (dst < src) [src, dst] = [dst, src];
	const hash = (jhash3(src, dst, uports, o.rnd) ^ (proto & o.protoMask)) >>> 0;
	return (Number((BigInt(hash) * BigInt(o.modulus)) >> 32n) + o.offset) >>> 0;
}

/**
 * HMARK sets the packet's mark to offset + (hash of addresses, ports and protocol) mod N, and lets it go on.
 * The hash is computed as xt_HMARK computes it (jhash with --hmark-rnd), checked against Linux 6.18; what
 * netsleuth's packet lacks (ICMP error payloads, ESP/AH SPIs) is stated.
 */
export const HMARK: TargetExtension<HmarkOptions> = {
	name: 'HMARK',
	reads: { sport: true, tuple: true, icmp: true },
	parse(uses, ctx) {
		const options = targetOptions(uses, ctx, 'HMARK', OPTIONS);
		const words = ctx.family === 4 ? 1 : 4;
		const none = () => new Array<number>(words).fill(0);
		const all = () => new Array<number>(words).fill(0xffffffff);
		const o = { ct: false, srcMask: none(), dstMask: none(), portMask: 0, portSet: 0, protoMask: 0, rnd: 0, modulus: 0, offset: 0 };
		const given = new Set<string>();
		const u32 = (use: OptionUse, what: string) => ctx.integer(ctx.arg(use, what), what, 0, 0xffffffff);
		const u16 = (use: OptionUse, what: string) => ctx.integer(ctx.arg(use, what), what, 0, 0xffff);
		const tupleUse = options.get('--hmark-tuple');
		for (const use of options.values()) {
			switch (use.name) {
				case '--hmark-tuple': {
					const token = ctx.arg(use, 'a list such as src,dst,sport,dport,proto');
					for (const part of token.text.split(',')) {
						// libxt_HMARK compares only as many letters as written: "s" is src, "sp" sport.
						const word = TUPLE.find((t) => part !== '' && t.startsWith(part.toLowerCase()));
						if (!word) ctx.fail(token, `bad HMARK tuple "${part}": expected ${TUPLE.join(', ')}`);
						given.add(word === 'ct' ? 'ct' : `--hmark-${word === 'src' || word === 'dst' ? `${word}-prefix` : word === 'proto' ? 'proto-mask' : `${word}-mask`}`);
						if (word === 'ct') o.ct = true;
						else if (word === 'src') o.srcMask = all();
						else if (word === 'dst') o.dstMask = all();
						else if (word === 'sport') o.portMask = (o.portMask | 0xffff0000) >>> 0;
						else if (word === 'dport') o.portMask = (o.portMask | 0xffff) >>> 0;
						else if (word === 'spi') o.portMask = 0xffffffff;
						else o.protoMask = 0xffff;
					}
					break;
				}
				case '--hmark-src-prefix': o.srcMask = prefixMask(ctx, use); break;
				case '--hmark-dst-prefix': o.dstMask = prefixMask(ctx, use); break;
				case '--hmark-sport-mask': o.portMask = ((o.portMask & 0xffff) | (u16(use, 'port mask') << 16)) >>> 0; break;
				case '--hmark-dport-mask': o.portMask = ((o.portMask & 0xffff0000) | u16(use, 'port mask')) >>> 0; break;
				case '--hmark-spi-mask': o.portMask = u32(use, 'SPI mask'); break;
				case '--hmark-sport': o.portSet = ((o.portSet & 0xffff) | (u16(use, 'port bits') << 16)) >>> 0; break;
				case '--hmark-dport': o.portSet = ((o.portSet & 0xffff0000) | u16(use, 'port bits')) >>> 0; break;
				case '--hmark-spi': o.portSet = u32(use, 'SPI bits'); break;
				case '--hmark-proto-mask': o.protoMask = u16(use, 'protocol mask'); break;
				case '--hmark-rnd': o.rnd = u32(use, 'random seed'); break;
				case '--hmark-mod': o.modulus = ctx.integer(ctx.arg(use, 'a modulus'), 'modulus', 1, 0xffffffff); break;
				case '--hmark-offset': o.offset = u32(use, 'offset'); break;
			}
			if (use !== tupleUse && given.has(use.name)) ctx.fail(use.token, `HMARK: option "${use.name}" can only be used once (--hmark-tuple already set it)`);
			given.add(use.name);
		}
		if (!options.has('--hmark-mod')) ctx.fail(ctx.anchor, 'HMARK needs --hmark-mod');
		if (!options.has('--hmark-rnd')) ctx.fail(ctx.anchor, 'HMARK needs --hmark-rnd');
		const spiMask = given.has('--hmark-spi-mask');
		const portMasks = ['--hmark-sport-mask', '--hmark-dport-mask'].find((n) => given.has(n));
		if (spiMask && portMasks) ctx.fail(options.get(portMasks)?.token ?? tupleUse!.token, 'HMARK: --hmark-spi-mask and --hmark-sport-mask/--hmark-dport-mask cannot be used together');
		exclusive(ctx, options, 'HMARK', ['--hmark-spi', '--hmark-sport']);
		exclusive(ctx, options, 'HMARK', ['--hmark-spi', '--hmark-dport']);
		const packetSelectors = OPTIONS.filter((n) => !['--hmark-tuple', '--hmark-rnd', '--hmark-mod', '--hmark-offset'].includes(n));
		if (!o.ct && !packetSelectors.some((n) => given.has(n))) ctx.fail(ctx.anchor, 'HMARK needs --hmark-tuple (or prefixes and masks) to say what to hash');
		if (o.ct && ctx.table === 'raw') ctx.warn(tupleUse!.token, 'HMARK --hmark-tuple ct in the raw table: conntrack has not run yet, so the mark is left alone (except for packets looped back over lo)');
		return o;
	},
	apply(o, packet, env) {
		const next = hmark(o, packet, env);
		if (next === undefined || next === packet.mark) return { kind: 'continue' };
		env.rewrite(`mark ${hex(packet.mark)} → ${hex(next)} (HMARK: ${o.offset} + hash mod ${o.modulus})`, (p) => { p.mark = next; });
		return { kind: 'continue' };
	},
};
