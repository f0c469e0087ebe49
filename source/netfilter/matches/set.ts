import { cidrContains, compareIp, formatIp, parseCidr, parseIp } from '../../packet/address.js';
import { type Packet, PROTOCOL_NUMBERS } from '../../packet/packet.js';
import type { EvalEnv, IpSetEntry, MatchExtension, MatchVerdict } from '../extension.js';
import { interfaceMatches, readOptions } from './extension-kit.js';
import { ICMP6_NAMES, ICMP_NAMES } from './icmp-types.js';

type Direction = 'src' | 'dst';
type Counter = { op: 'eq' | 'ne' | 'lt' | 'gt'; value: bigint };

export interface SetOptions {
	readonly name: string;
	readonly flags: readonly Direction[];
	readonly negated: boolean;
	readonly returnNomatch: boolean;
	readonly packets?: Counter;
	readonly bytes?: Counter;
}

/** One dimension of a member as `ipset save` writes it, ready to test: how specific it is when it holds. */
type DimTest = (packet: Packet, direction: Direction) => number | false;

interface Member {
	readonly text: string;
	readonly dims: readonly DimTest[];
	readonly nomatch: boolean;
	readonly family?: 4 | 6;
}

interface ParsedSet {
	readonly kind: 'members' | 'list';
	readonly dims: readonly string[];
	readonly members: readonly Member[];
	/** Member texts netsleuth could not read: they are skipped, and said so. */
	readonly unreadable: readonly string[];
	readonly nomatchType: boolean;
	readonly family?: 4 | 6;
}

const MAX_SET_NAME = 31;

function addressTest(text: string): { test: DimTest; family: 4 | 6 } | undefined {
	const dash = text.indexOf('-');
	if (dash > 0 && !text.includes('/')) {
		const from = parseIp(text.slice(0, dash));
		const to = parseIp(text.slice(dash + 1));
		if (!from || !to || from.family !== to.family) return undefined;
		const bits = from.family === 4 ? 32 : 128;
		return {
			family: from.family,
			test: (packet, direction) => {
				const ip = direction === 'src' ? packet.src : packet.dst;
				return ip.family === from.family && compareIp(from, ip) <= 0 && compareIp(ip, to) <= 0 ? bits : false;
			},
		};
	}
	const cidr = parseCidr(text);
	if (!cidr) return undefined;
	return { family: cidr.family, test: (packet, direction) => (cidrContains(cidr, direction === 'src' ? packet.src : packet.dst) ? cidr.prefix : false) };
}

const PORT_PROTOCOLS = new Set([6, 17, 132, 136]);

function icmpValue(text: string, names: typeof ICMP_NAMES): { type: number; code?: number } | undefined {
	const named = names[text];
	if (named) return { type: named[0], code: named[1] };
	const m = /^(\d+)\/(\d+)$/.exec(text);
	return m ? { type: Number(m[1]), code: Number(m[2]) } : undefined;
}

/** "[proto:]port[-port]", "icmp:TYPE/CODE" or "icmp:name": the port dimension of hash:*,port sets. */
function portTest(text: string, bitmap: boolean): DimTest | undefined {
	const colon = text.lastIndexOf(':');
	const protoText = colon < 0 ? (bitmap ? '' : 'tcp') : text.slice(0, colon).toLowerCase();
	const value = colon < 0 ? text : text.slice(colon + 1);
	if (protoText === 'icmp' || protoText === 'icmpv6') {
		const icmp = icmpValue(value, protoText === 'icmp' ? ICMP_NAMES : ICMP6_NAMES);
		if (!icmp) return undefined;
		const proto = protoText === 'icmp' ? 1 : 58;
		return (packet) => (packet.proto === proto && packet.icmpType === icmp.type && (icmp.code === undefined || (packet.icmpCode ?? 0) === icmp.code) ? 0 : false);
	}
	const m = /^(\d+)(?:-(\d+))?$/.exec(value);
	if (!m) return undefined;
	const from = Number(m[1]);
	const to = m[2] === undefined ? from : Number(m[2]);
	const proto = protoText === '' ? undefined : /^\d+$/.test(protoText) ? Number(protoText) : PROTOCOL_NUMBERS[protoText];
	if (protoText !== '' && proto === undefined) return undefined;
	return (packet, direction) => {
		if (proto === undefined ? !PORT_PROTOCOLS.has(packet.proto) : packet.proto !== proto) return false;
		if (!PORT_PROTOCOLS.has(packet.proto)) return from === 0 ? 0 : false; // a protocol without ports is stored with port 0
		const port = direction === 'src' ? packet.sport : packet.dport;
		return port !== undefined && port >= from && port <= to ? 0 : false;
	};
}

function dimTest(kind: string, text: string, bitmap: boolean): { test: DimTest; family?: 4 | 6 } | undefined {
	switch (kind) {
		case 'ip':
		case 'net':
			return addressTest(text);
		case 'port': {
			const test = portTest(text, bitmap);
			return test && { test };
		}
		case 'mac': {
			const mac = text.toLowerCase();
			return { test: (packet, direction) => ((direction === 'src' ? packet.srcMac : packet.dstMac)?.toLowerCase() === mac ? 0 : false) };
		}
		case 'iface': {
			const physdev = text.startsWith('physdev:');
			const name = physdev ? text.slice(8) : text;
			return {
				test: (packet, direction) => {
					const dev = physdev ? (direction === 'src' ? packet.physIn : packet.physOut) : direction === 'src' ? packet.in : packet.out;
					return interfaceMatches(name, dev) ? 0 : false;
				},
			};
		}
		case 'mark': {
			const value = /^0x[0-9a-f]+$/i.test(text) ? parseInt(text, 16) : /^\d+$/.test(text) ? Number(text) : NaN;
			if (Number.isNaN(value)) return undefined;
			return { test: (packet) => (packet.mark === value ? 0 : false) };
		}
		default:
			return undefined;
	}
}

const parsedSets = new WeakMap<IpSetEntry, ParsedSet>();

/** Reads a set's members once: `hash:ip,port` gives the dimensions ip and port. */
function parseSet(entry: IpSetEntry): ParsedSet {
	const cached = parsedSets.get(entry);
	if (cached) return cached;
	const [method = '', dimText = ''] = entry.type.split(':');
	const dims = dimText.split(',');
	const bitmap = method === 'bitmap';
	let parsed: ParsedSet;
	if (method === 'list') {
		parsed = { kind: 'list', dims: [], members: entry.members.map((m) => ({ text: m.trim().split(/\s+/)[0]!, dims: [], nomatch: false })), unreadable: [], nomatchType: false };
	} else {
		const members: Member[] = [];
		const unreadable: string[] = [];
		let family: 4 | 6 | undefined;
		for (const raw of entry.members) {
			const [element = '', ...extras] = raw.trim().split(/\s+/);
			const parts = element.split(',');
			const tests: DimTest[] = [];
			let memberFamily: 4 | 6 | undefined;
			let ok = parts.length === dims.length;
			for (let i = 0; ok && i < dims.length; i++) {
				const t = dimTest(dims[i]!, parts[i]!, bitmap);
				if (!t) ok = false;
				else {
					tests.push(t.test);
					memberFamily ??= t.family;
				}
			}
			if (!ok) {
				unreadable.push(raw);
				continue;
			}
			family ??= memberFamily;
			members.push({ text: element, dims: tests, nomatch: extras.includes('nomatch'), family: memberFamily });
		}
		parsed = { kind: 'members', dims, members, unreadable, nomatchType: method === 'hash' && dims.includes('net'), family };
	}
	parsedSets.set(entry, parsed);
	return parsed;
}

type Lookup = { found: 'element' | 'nomatch' | 'none'; member?: string; why?: string; nomatchType?: boolean };

/** ip_set_test(): looks the packet up in a set; for hash:net types the most specific element decides. */
function lookup(name: string, flags: readonly Direction[], packet: Packet, env: EvalEnv, depth: number): Lookup | undefined {
	const entry = env.host.ipsets.get(name);
	if (!entry) return undefined;
	const set = parseSet(entry);
	if (set.unreadable.length) env.assume(`set ${name} (${entry.type}): ${set.unreadable.length} member(s) netsleuth cannot read were skipped, e.g. "${set.unreadable[0]}"`);
	if (set.kind === 'list') {
		if (depth > 0) return { found: 'none', why: `set ${name} is a list:set inside a list:set` };
		for (const member of set.members) {
			const inner = lookup(member.text, flags, packet, env, depth + 1);
			if (!inner) {
				env.assume(`set ${member.text} (a member of list:set ${name}) is unknown: the packet is assumed not to be in it`);
				continue;
			}
			if (inner.found !== 'none') return { ...inner, member: `${member.text}: ${inner.member}` };
		}
		return { found: 'none', why: `in no member set of ${name}` };
	}
	if (flags.length < set.dims.length) return { found: 'none', why: `set ${name} has ${set.dims.length} dimensions but the rule gives ${flags.length} direction(s)` };
	if (set.family !== undefined && set.family !== packet.family) return { found: 'none', why: `set ${name} holds IPv${set.family} members` };
	let best: { member: Member; score: number } | undefined;
	for (const member of set.members) {
		let score = 0;
		let holds = true;
		for (let i = 0; i < member.dims.length && holds; i++) {
			const r = member.dims[i]!(packet, flags[i]!);
			if (r === false) holds = false;
			else score += r;
		}
		if (holds && (!best || score > best.score)) best = { member, score };
	}
	if (!best) return { found: 'none' };
	return { found: best.member.nomatch && set.nomatchType ? 'nomatch' : 'element', member: best.member.text, nomatchType: set.nomatchType };
}

function describeKey(packet: Packet, flags: readonly Direction[]): string {
	return flags.map((d) => (d === 'src' ? `src ${formatIp(packet.src)}${packet.sport !== undefined ? `:${packet.sport}` : ''}` : `dst ${formatIp(packet.dst)}${packet.dport !== undefined ? `:${packet.dport}` : ''}`)).join(', ');
}

function counterOption(name: string, negated: boolean, text: string, fail: (reason: string) => never): Counter {
	if (!/^(0x[0-9a-f]+|\d+)$/i.test(text)) fail(`cannot read "${text}" as a counter value`);
	const op = name.endsWith('-eq') ? (negated ? 'ne' : 'eq') : name.endsWith('-lt') ? 'lt' : 'gt';
	return { op, value: BigInt(text) };
}

/** -m set: the packet's source/destination (address, port, …) is an element of an ipset (xt_set). */
export const set: MatchExtension<SetOptions> = {
	name: 'set',
	reads: { sport: true, icmp: true },
	parse(uses, ctx) {
		let o: { name?: string; flags?: Direction[]; negated: boolean; returnNomatch: boolean; packets?: Counter; bytes?: Counter } = { negated: false, returnNomatch: false };
		for (const use of readOptions('set', uses, ctx, {
			'--match-set': { args: 2, negatable: true },
			'--set': { args: 2, negatable: true },
			'--return-nomatch': { args: 0 },
			'--update-counters': { args: 0, negatable: true },
			'--update-subcounters': { args: 0, negatable: true },
			'--packets-eq': { args: 1, negatable: true },
			'--packets-lt': { args: 1 },
			'--packets-gt': { args: 1 },
			'--bytes-eq': { args: 1, negatable: true },
			'--bytes-lt': { args: 1 },
			'--bytes-gt': { args: 1 },
		})) {
			switch (use.name) {
				case '--set':
				case '--match-set': {
					if (use.name === '--set') ctx.warn(use.token, 'old option --set: write --match-set');
					if (o.name !== undefined) ctx.fail(use.token, '--match-set can be given only once');
					const nameToken = use.args[0]!;
					const flagsToken = use.args[1]!;
					if (nameToken.text.length > MAX_SET_NAME) ctx.fail(nameToken, `set name "${nameToken.text}" is longer than ${MAX_SET_NAME} characters`);
					const flags = flagsToken.text.split(',');
					if (flags.length > 6 || flags.some((f) => f !== 'src' && f !== 'dst')) ctx.fail(flagsToken, `expected up to six comma-separated src or dst, got "${flagsToken.text}"`);
					o = { ...o, name: nameToken.text, flags: flags as Direction[], negated: use.negated };
					break;
				}
				case '--return-nomatch':
					o.returnNomatch = true;
					break;
				case '--update-counters':
				case '--update-subcounters':
					if (!use.negated) ctx.warn(use.token, `${use.name} without "!" is the default and has no effect`);
					break;
				default: {
					const which = use.name.startsWith('--packets') ? 'packets' : 'bytes';
					if (o[which]) ctx.fail(use.token, `only one of --${which}-eq, --${which}-lt, --${which}-gt is allowed`);
					o[which] = counterOption(use.name, use.negated, use.args[0]!.text, (reason) => ctx.fail(use.args[0]!, reason));
				}
			}
		}
		const name = ctx.require(o.name, 'set match needs --match-set NAME src|dst[,…]');
		return { ...o, name, flags: o.flags! };
	},
	evaluate(o, packet, env) {
		const result = lookup(o.name, o.flags, packet, env, 0);
		let inSet: boolean;
		let detail: string;
		if (!result) {
			env.assume(`ipset ${o.name} is not in the host state: ${describeKey(packet, o.flags)} assumed not to be in it`);
			inSet = false;
			detail = `not in set ${o.name} (assumed: the set is unknown)`;
		} else {
			const nomatchCapable = result.nomatchType === true;
			if (result.found === 'nomatch') {
				inSet = o.returnNomatch && nomatchCapable;
				detail = `${describeKey(packet, o.flags)} hits the nomatch element ${result.member} of ${o.name}${o.returnNomatch ? ' (--return-nomatch: counts as a match)' : ''}`;
			} else if (result.found === 'element') {
				inSet = !(o.returnNomatch && nomatchCapable);
				detail = `${describeKey(packet, o.flags)} is in ${o.name} (element ${result.member})${inSet ? '' : ' but --return-nomatch counts only nomatch elements'}`;
			} else {
				inSet = false;
				detail = `${describeKey(packet, o.flags)} is not in ${o.name}${result.why ? ` (${result.why})` : ''}`;
			}
			if (inSet && (o.packets || o.bytes)) {
				const text = [o.packets && `packets ${o.packets.op} ${o.packets.value}`, o.bytes && `bytes ${o.bytes.op} ${o.bytes.value}`].filter(Boolean).join(', ');
				env.assume(`the counters of element ${result.member} in ${o.name} are unknown: assumed to satisfy ${text}`);
			}
		}
		return verdict(inSet, o.negated, detail);
	},
};

function verdict(inSet: boolean, negated: boolean, detail: string): MatchVerdict {
	if (inSet !== negated) return null;
	return negated ? `${detail}, which ! --match-set excludes` : detail;
}
