/**
 * The parsers under fuzz, each with its seeds (the shared corpus, the repository's fixtures and generated
 * inputs), a dictionary of its format's words, and the contract every input is checked against: accept,
 * or reject with the parser's documented error type and a one-line message that says where.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as g from '../capture-gen.js';
import { kubeProxyDump } from '../kube-gen.js';
import { decodeFrame } from '../../source/capture/decode/index.js';
import type { DecodedPacket } from '../../source/capture/decode/packet.js';
import { matchFilter, parseFilter, FilterError } from '../../source/capture/filter.js';
import { CaptureError, type Frame } from '../../source/capture/frame.js';
import { CaptureReader } from '../../source/capture/reader.js';
import { jsonLine, summarize } from '../../source/capture/summary.js';
import { toEnginePacket } from '../../source/capture/to-packet.js';
import { renderShow, SHOW_WHAT } from '../../source/commands/show.js';
import { buildHost, InputError, RAW_PARTS, type RawHostState } from '../../source/host/model.js';
import { parseSnapshot } from '../../source/host/snapshot.js';
import { listingToSave } from '../../source/host/sos.js';
import { bridgeLinksFromText, bridgeVlansFromText, fdbFromText, linksFromText, routesFromText, rulesFromText } from '../../source/links/iproute-text.js';
import { buildLinks, type LinkInputs } from '../../source/links/parse.js';
import { parseRuleset } from '../../source/netfilter/parse.js';
import { ParseError } from '../../source/netfilter/tokens.js';
import { ChainLoopError } from '../../source/netfilter/walk.js';
import { packetFromSpec, PacketSpecError, parseExpression } from '../../source/packet/spec.js';
import { parseAddresses, parseRoutes, parseRules } from '../../source/routing/routes.js';
import { tracePacket } from '../../source/trace/pipeline.js';
import { safeText } from '../../source/views/safe-text.js';

/** The repository root, from dist/bench/fuzz/. */
export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
/** ../shared/corpus beside the clone (as test/support/paths.ts resolves it). */
export const CORPUS = fileURLToPath(new URL('../shared/corpus/', `file://${REPO}`));
export const corpusPresent = existsSync(CORPUS);

export interface Seed {
	readonly name: string;
	readonly bytes: Uint8Array;
	/** Which form of the parser the seed is for (the family of a ruleset, the part of a host state). */
	readonly variant: string;
}

/** A broken contract: the input and what went wrong are reported, not thrown further. */
export class Violation extends Error {
	constructor(
		readonly kind: 'crash' | 'message' | 'slow' | 'hang' | 'memory' | 'output',
		detail: string,
	) {
		super(`${kind}: ${detail}`);
	}
}

export interface Target {
	readonly name: string;
	/** What is fed to what. */
	readonly what: string;
	readonly binary?: boolean;
	readonly json?: boolean;
	/** Largest mutant (bytes). */
	readonly maxLength: number;
	dictionary(seeds: readonly Seed[]): string[];
	/** `small`: seeds cut to a few KB (the bounded run in the test suite). */
	seeds(small: boolean): Seed[];
	/**
	 * Undefined when the input was accepted, else the rejection message. Throws a Violation. `quick`: the
	 * bounded run, where what follows a successful parse (trace, show) runs for one input in four.
	 */
	run(input: Uint8Array, variant: string, quick?: boolean): string | undefined;
}

// ── helpers ──────────────────────────────────────────────────────────────────────────────────────────

const text = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
const bytesOf = (s: string): Uint8Array => Buffer.from(s, 'utf8');

function files(dir: string, pattern: RegExp): string[] {
	try {
		return readdirSync(dir).filter((n) => pattern.test(n)).sort().map((n) => `${dir}${n}`);
	} catch {
		return [];
	}
}

function readText(path: string): string {
	return readFileSync(path, 'utf8');
}

/** What ends a line on a terminal: LF, CR, VT and FF (VT100 treats both as LF), NEL. */
const LINE_BREAK = /[\n\r\v\f\u0085]/;
/** Besides line breaks, what a message must not carry raw: other C0 and C1 controls, DEL, bidi marks, U+2028/9. */
const RAW_CONTROL = /[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
/** Messages quote at most ~60 characters of a word (views/safe-text.ts): none comes near this. */
const MAX_MESSAGE = 600;

/** The message checks every parser shares: text, one line, no controls, bounded, and (per parser) where. */
function checkMessage(message: unknown, where: RegExp | ((m: string) => boolean), what: string): string {
	if (typeof message !== 'string' || message.trim() === '') throw new Violation('message', `${what}: empty error message`);
	if (LINE_BREAK.test(message)) throw new Violation('message', `${what}: the message is not one line: ${JSON.stringify(message.slice(0, 300))}`);
	if (RAW_CONTROL.test(message)) throw new Violation('message', `${what}: the message carries a control character: ${JSON.stringify(message.slice(0, 300))}`);
	if (message.length > MAX_MESSAGE) throw new Violation('message', `${what}: the message is ${message.length} characters long: ${JSON.stringify(message.slice(0, 300))}`);
	const ok = typeof where === 'function' ? where(message) : where.test(message);
	if (!ok) throw new Violation('message', `${what}: the message carries no location: ${JSON.stringify(message.slice(0, 300))}`);
	return message;
}

function crash(error: unknown, context: string): Violation {
	if (error instanceof Violation) return error;
	const e = error as Error;
	const name = e?.constructor?.name ?? typeof error;
	const stack = (e?.stack ?? String(error)).split('\n').slice(0, 6).join(' | ');
	return new Violation('crash', `${context}: ${name}: ${stack}`);
}

/** Where invalid JSON goes wrong (views/json-input.ts), never JSON.parse's own message. */
const JSON_WHERE = /^invalid JSON at line \d+ column \d+: /;

/** A JSON path at the start of a message: `routes[3].dst: …`, `ip addr[0].addr_info[1].local: …`. */
function jsonPathMessage(roots: readonly string[]) {
	return (m: string): boolean => {
		const root = roots.find((r) => m.startsWith(r));
		if (root === undefined) return false;
		const rest = m.slice(root.length);
		const path = /^((?:\[\d+\]|\.[^\s:[]+)*): (.*)$/s.exec(rest);
		if (!path) return false;
		return /^invalid JSON/.test(path[2]!) ? JSON_WHERE.test(path[2]!) : true;
	};
}

/** Cuts a JSON array document into small documents of a few elements each (small seeds parse fast). */
function jsonPieces(name: string, doc: string, variant: string, small: boolean, per = 3, max = 12): Seed[] {
	let value: unknown;
	try {
		value = JSON.parse(doc);
	} catch {
		return [{ name, bytes: bytesOf(doc), variant }];
	}
	if (!small || !Array.isArray(value) || value.length <= per) return [{ name, bytes: bytesOf(small ? JSON.stringify(value) : doc), variant }];
	const out: Seed[] = [];
	for (let i = 0; i < value.length && out.length < max; i += per) out.push({ name: `${name}[${i}..]`, bytes: bytesOf(JSON.stringify(value.slice(i, i + per), null, i % 2 ? 1 : undefined)), variant });
	return out;
}

/** Words of the seeds that look like options or keywords: the format's vocabulary. */
function vocabulary(seeds: readonly Seed[], pattern: RegExp, limit = 400): string[] {
	const words = new Set<string>();
	for (const seed of seeds) {
		for (const w of text(seed.bytes).split(/[\s"{}[\],:]+/)) if (pattern.test(w) && w.length < 40) words.add(w);
		if (words.size >= limit) break;
	}
	return [...words].sort();
}

// ── lab snapshots and fixtures ─────────────────────────────────────────────────────────────────────

const LAB = `${REPO}source/host/demo/lab/`;

interface SnapshotDoc {
	outputs: Partial<Record<string, string>>;
	[key: string]: unknown;
}

function labSnapshots(): { name: string; doc: SnapshotDoc }[] {
	const out = files(LAB, /\.json$/).map((path) => ({ name: path.slice(LAB.length), doc: JSON.parse(readText(path)) as SnapshotDoc }));
	const topology = `${REPO}test/links/fixtures/topology.json`;
	if (existsSync(topology)) out.push({ name: 'topology.json', doc: JSON.parse(readText(topology)) as SnapshotDoc });
	return out;
}

/** An iptables-save text cut to its first `rules` rules per table (declarations kept). */
function shrinkRules(save: string, rules: number): string {
	const out: string[] = [];
	let kept = 0;
	for (const line of save.split('\n')) {
		if (line.startsWith('*')) kept = 0;
		if (/^(\[\d+:\d+\] )?-[AI] /.test(line)) {
			if (kept++ >= rules) continue;
		}
		out.push(line);
	}
	return out.join('\n');
}

/** A JSON array text cut to its first n elements. */
function shrinkJson(doc: string, n: number): string {
	try {
		const value = JSON.parse(doc) as unknown;
		return JSON.stringify(Array.isArray(value) ? value.slice(0, n) : value);
	} catch {
		return doc;
	}
}

/** A lab snapshot's outputs, made small: a few routes, links and rules each. */
function smallOutputs(outputs: Partial<Record<string, string>>, small: boolean): Partial<Record<string, string>> {
	if (!small) return outputs;
	const out: Partial<Record<string, string>> = {};
	for (const [key, value] of Object.entries(outputs)) {
		if (value === undefined) continue;
		if (/tables/i.test(key)) out[key] = shrinkRules(value, 6);
		else if (key === 'nft') out[key] = value.length > 1500 ? JSON.stringify({ nftables: (JSON.parse(value) as { nftables: unknown[] }).nftables.slice(0, 8) }) : value;
		else if (key === 'sysctl' || key === 'ipset') out[key] = value.split('\n').slice(0, 12).join('\n');
		else out[key] = shrinkJson(value, 3);
	}
	return out;
}

// ── iptables-save ──────────────────────────────────────────────────────────────────────────────────

/** Generated dumps: every extension netsleuth knows, in the forms iptables-save prints. */
const GENERATED_RULESET = `# Generated by fuzz seeds
*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -i lo -j CT --notrack
-A PREROUTING -p udp -m udp --dport 53 -j NOTRACK
-A OUTPUT -m rpfilter --invert -j DROP
COMMIT
*mangle
:PREROUTING ACCEPT [10:600]
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -m mark --mark 0x4000/0x4000 -j CONNMARK --save-mark --nfmask 0xffffffff --ctmask 0xffffffff
-A PREROUTING -p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu
-A PREROUTING -m dscp --dscp 0x2e -j DSCP --set-dscp 0x00
-A FORWARD -m physdev --physdev-in veth0 --physdev-is-bridged -j MARK --set-xmark 0x1/0xffffffff
-A POSTROUTING -o eth0 -m tos --tos 0x10/0x3f -j TOS --set-tos 0x00/0xff
-A POSTROUTING -m ttl --ttl-lt 5 -j TTL --ttl-set 64
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:DOCKER - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER
-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE --to-ports 1024-65535 --random
-A POSTROUTING -s 10.0.0.0/8 -j SNAT --to-source 192.0.2.1-192.0.2.9:1000-2000 --persistent
-A DOCKER -i docker0 -j RETURN
-A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80
-A DOCKER -p tcp -m tcp --dport 8081 -j REDIRECT --to-ports 80
-A DOCKER -d 198.51.100.0/24 -j NETMAP --to 10.9.0.0/24
COMMIT
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:LOGDROP - [0:0]
[5:300] -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -m state --state INVALID -j DROP
-A INPUT -p icmp -m icmp --icmp-type 8/0 -m limit --limit 5/sec --limit-burst 10 -j ACCEPT
-A INPUT -p tcp -m multiport --dports 22,80,443:445 -m comment --comment "ssh \\"and\\" web" -j ACCEPT
-A INPUT -p tcp -m tcp --sport 1024:65535 --dport 22 --tcp-flags FIN,SYN,RST,ACK SYN -m recent --set --name ssh --mask 255.255.255.255 --rsource
-A INPUT -p tcp -m recent --update --seconds 60 --hitcount 4 --name ssh --rsource -j LOGDROP
-A INPUT -m iprange --src-range 10.0.0.1-10.0.0.9 -m mac --mac-source 02:00:00:00:00:01 -j ACCEPT
-A INPUT -m set --match-set allowed src,dst -j ACCEPT
-A INPUT -m hashlimit --hashlimit-upto 50/min --hashlimit-burst 3 --hashlimit-mode srcip --hashlimit-name h1 -j ACCEPT
-A INPUT -m statistic --mode random --probability 0.50000000000 -j ACCEPT
-A INPUT -m statistic --mode nth --every 3 --packet 0 -j ACCEPT
-A INPUT -m owner --uid-owner 1000 -m length --length 0:1500 -m pkttype --pkt-type unicast -j ACCEPT
-A INPUT -m connlimit --connlimit-above 10 --connlimit-mask 32 --connlimit-saddr -j REJECT --reject-with tcp-reset
-A INPUT -m connmark --mark 0x1 -m connbytes --connbytes 10:100 --connbytes-dir both --connbytes-mode bytes -j ACCEPT
-A INPUT -m string --string "GET /" --algo bm --from 40 --to 100 -j DROP
-A INPUT -m u32 --u32 "0>>22&0x3C@12>>26&0x3F=0x10" -j DROP
-A INPUT -m time --timestart 09:00 --timestop 17:00 --weekdays Mon,Tue -j ACCEPT
-A INPUT -m policy --dir in --pol ipsec --proto esp -j ACCEPT
-A INPUT -m socket --transparent -j ACCEPT
-A INPUT -p sctp -m sctp --dport 9 -j ACCEPT
-A INPUT -p 47 -j ACCEPT
-A INPUT -f -j DROP
-I INPUT 2 -s 203.0.113.0/255.255.255.0 -j DROP
-A FORWARD -m devgroup --src-group 0x1 -m cpu --cpu 0 -m quota --quota 1000 -j ACCEPT
-A FORWARD -m helper --helper ftp -m realm --realm 0x1 -m ecn --ecn-tcp-cwr -p tcp -j ACCEPT
-A FORWARD -g LOGDROP
-A OUTPUT -o lo -j ACCEPT
-A OUTPUT -m tcpmss --mss 1000:1500 -p tcp -j NFQUEUE --queue-num 3 --queue-bypass
-A OUTPUT -m cgroup --path user.slice -j NFLOG --nflog-group 5 --nflog-prefix "out "
-A LOGDROP -m limit --limit 3/min -j LOG --log-prefix "drop: " --log-level 4 --log-uid
-A LOGDROP -j DROP
COMMIT
`;

const GENERATED_RULESET6 = `*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -s fe80::/10 -p ipv6-icmp -m icmp6 --icmpv6-type 135 -j ACCEPT
-A INPUT -p icmpv6 -m icmpv6 --icmpv6-type echo-request -m hl --hl-eq 255 -j ACCEPT
-A INPUT -m rt --rt-type 0 -j DROP
-A INPUT -m frag --fragid 1:4 --fraglast -m ipv6header --header hop-by-hop --soft -j DROP
-A INPUT -m hbh --hbh-len 8 -m dst --dst-len 8 -m mh --mh-type 1 -j DROP
-A INPUT -d 2001:db8::/32 -p tcp -m tcp --dport 22 -j REJECT --reject-with icmp6-adm-prohibited
-A INPUT -m ah --ahspi 1 -m esp --espspi 1:2 -j ACCEPT
COMMIT
`;

/** Rulesets cut into small pieces: a table line, its chain declarations, a run of rules, COMMIT. */
function rulesetPieces(name: string, save: string, variant: string, small: boolean): Seed[] {
	if (!small) return [{ name, bytes: bytesOf(save), variant }];
	const pieces: Seed[] = [];
	let header: string[] = [];
	let body: string[] = [];
	const flush = () => {
		if (body.length) pieces.push({ name: `${name}#${pieces.length}`, bytes: bytesOf(`${[...header, ...body, 'COMMIT'].join('\n')}\n`), variant });
		body = [];
	};
	for (const line of save.split('\n')) {
		if (line.startsWith('*')) {
			flush();
			header = [line];
		} else if (line.startsWith(':')) {
			if (header.length < 12) header.push(line);
		} else if (line === 'COMMIT') {
			flush();
			header = [];
		} else if (line.trim() !== '' && header.length) {
			body.push(line);
			if (body.length >= 12) flush();
		} else if (!header.length && line.trim() !== '') body.push(line);
		if (pieces.length >= 40) break;
	}
	flush();
	return pieces;
}

const rulesetTarget: Target = {
	name: 'ruleset',
	what: 'parseRuleset (iptables-save / ip6tables-save, iptables-restore input)',
	maxLength: 1 << 20,
	seeds(small) {
		const seeds: Seed[] = [];
		for (const path of files(`${CORPUS}iptables/`, /./)) {
			const name = path.slice(CORPUS.length);
			seeds.push(...rulesetPieces(name, readText(path), /ip6tables/.test(name) ? '6' : '4', small));
		}
		for (const { name, doc } of labSnapshots()) {
			if (doc.outputs['iptables']) seeds.push(...rulesetPieces(`lab ${name}`, doc.outputs['iptables'], '4', small));
			if (doc.outputs['ip6tables']) seeds.push(...rulesetPieces(`lab ${name} v6`, doc.outputs['ip6tables'], '6', small));
		}
		seeds.push(...rulesetPieces('generated', GENERATED_RULESET, '4', small));
		seeds.push(...rulesetPieces('generated v6', GENERATED_RULESET6, '6', small));
		seeds.push(...rulesetPieces('kube-proxy', kubeProxyDump(small ? 3 : 30).text, '4', small));
		return seeds;
	},
	dictionary(seeds) {
		return [
			...vocabulary(seeds, /^(-{1,2}[a-z][\w-]*|[A-Z][A-Z0-9_-]{2,}|\*\w+)$/),
			'-A', '-I', '-N', '-P', '-m', '-j', '-g', '-p', '!', '-c', ':X - [0:0]', '[0:0]', '[18446744073709551616:1]', 'COMMIT', '*filter', '*nat', '--comment',
			'-I INPUT 99999999999999999999', '-A INPUT -j INPUT', '-A X -j X', '-g X',
		];
	},
	run(input, variant) {
		const source = text(input);
		try {
			parseRuleset(source, { family: variant === '6' ? 6 : 4, origin: 'fuzz' });
			return undefined;
		} catch (error) {
			if (!(error instanceof ParseError)) throw crash(error, 'parseRuleset');
			const lines = source.split('\n');
			if (!Number.isInteger(error.line) || error.line < 1 || error.line > lines.length) throw new Violation('message', `ParseError line ${error.line} outside the input's 1..${lines.length}`);
			const line = lines[error.line - 1]!.replace(/\r$/, '');
			if (!Number.isInteger(error.column) || error.column < 1 || error.column > line.length + 1) throw new Violation('message', `ParseError column ${error.column} outside line ${error.line} (${line.length} characters): ${error.reason}`);
			return checkMessage(`fuzz:${error.line}:${error.column}: ${error.reason}`, () => true, 'parseRuleset');
		}
	},
};

// ── ip -j route / rule / addr ──────────────────────────────────────────────────────────────────────

function labParts(keys: string[], small: boolean, variantOf: (key: string) => string): Seed[] {
	const seeds: Seed[] = [];
	for (const { name, doc } of labSnapshots()) {
		for (const key of keys) {
			const value = doc.outputs[key];
			if (value) seeds.push(...jsonPieces(`${name} ${key}`, value, variantOf(key), small));
		}
	}
	return seeds;
}

function fixture(name: string): string | undefined {
	const path = `${REPO}test/fixtures/routing/${name}`;
	return existsSync(path) ? readText(path) : undefined;
}

const JSON_KEYS = /^[a-z_]+$/;

function jsonTarget(name: string, what: string, labKeys: string[], fixtures: [string, string][], roots: string[], parse: (text: string, variant: string) => void): Target {
	return {
		name,
		what,
		json: true,
		maxLength: 1 << 18,
		seeds(small) {
			const seeds = labParts(labKeys, small, (key) => (key.endsWith('6') ? '6' : '4'));
			for (const [file, variant] of fixtures) {
				const doc = fixture(file);
				if (doc) seeds.push(...jsonPieces(file, doc, variant, small));
			}
			return seeds;
		},
		dictionary: (seeds) => [...vocabulary(seeds, JSON_KEYS), 'default', 'all', 'inet', 'inet6', '0x10', '::/0', 'fe80::1', '255.255.255.255/32'],
		run(input, variant) {
			try {
				parse(text(input), variant);
				return undefined;
			} catch (error) {
				if (error instanceof Violation) throw error;
				if (!(error instanceof Error) || error.constructor !== Error) throw crash(error, name);
				return checkMessage(error.message, jsonPathMessage(roots), name);
			}
		},
	};
}

const routesTarget = jsonTarget('routes', 'parseRoutes (ip -j route show table all)', ['routes', 'routes6'], [['routes.json', '4'], ['routes6.json', '6'], ['route-get.json', '4']], ['routes'], (t, v) => {
	parseRoutes(t, v === '6' ? 6 : undefined);
});
const rulesTarget = jsonTarget('ip-rules', 'parseRules (ip -j rule)', ['ipRules', 'ipRules6'], [['rules.json', '4'], ['rules6.json', '6']], ['rules'], (t, v) => {
	parseRules(t, v === '6' ? 6 : 4);
});
const addressesTarget = jsonTarget('addresses', 'parseAddresses (ip -j addr)', ['addresses'], [['addr.json', '4']], ['links'], (t) => {
	parseAddresses(t);
});

// ── links and bridges ──────────────────────────────────────────────────────────────────────────────

const LINK_PARTS: Record<string, keyof LinkInputs> = {
	links: 'links', addresses: 'addresses', bridgeLinks: 'bridgeLinks', fdb: 'fdb', bridgeVlans: 'bridgeVlans', netnsIds: 'netnsIds',
};

const linksTarget: Target = {
	name: 'links',
	what: 'buildLinks (ip -j -d link/addr, bridge -j link/fdb/vlan, ip -j netns list-id)',
	json: true,
	maxLength: 1 << 18,
	seeds(small) {
		return labParts(Object.keys(LINK_PARTS), small, (key) => key);
	},
	dictionary: (seeds) => [...vocabulary(seeds, JSON_KEYS), 'bridge', 'vlan', 'vxlan', 'veth', 'bond', 'tun', 'master', 'self', 'pvid', 'Egress Untagged'],
	run(input, variant) {
		const field = LINK_PARTS[variant] ?? 'links';
		try {
			const model = buildLinks({ [field]: text(input) });
			if (field === 'links' || field === 'addresses') JSON.stringify(model);
			return undefined;
		} catch (error) {
			if (error instanceof Violation) throw error;
			if (!(error instanceof Error) || error.constructor !== Error) throw crash(error, `buildLinks(${field})`);
			return checkMessage(error.message, jsonPathMessage(['ip addr', 'ip link', 'bridge link', 'bridge fdb', 'bridge vlan', 'netns list-id']), `buildLinks(${field})`);
		}
	},
};

// ── sosreport text (iproute2 text, iptables -nvL) ────────────────────────────────────────────────────

const SOS_CONVERTERS = { routes: routesFromText, rules: rulesFromText, links: linksFromText, bridgeLinks: bridgeLinksFromText, fdb: fdbFromText, bridgeVlans: bridgeVlansFromText } as const;

const sosTarget: Target = {
	name: 'sos-text',
	what: 'iproute2 text → JSON (routesFromText, rulesFromText, linksFromText, bridge*FromText), iptables -nvL → save (listingToSave), then their parsers',
	maxLength: 1 << 18,
	seeds(small) {
		const seeds: Seed[] = [];
		const cut = (s: string) => (small ? s.split('\n').slice(0, 24).join('\n') : s);
		for (const path of files(`${CORPUS}routes/`, /\.txt$/)) seeds.push({ name: path.slice(CORPUS.length), bytes: bytesOf(cut(readText(path))), variant: 'all' });
		const sos = `${REPO}test/links/fixtures/sos-topology/sos_commands/`;
		for (const dir of ['networking/', 'firewall_tables/']) for (const path of files(`${sos}${dir}`, /./)) seeds.push({ name: path.slice(sos.length), bytes: bytesOf(cut(readText(path))), variant: 'all' });
		const iproute = `${REPO}test/links/fixtures/ip-route.txt`;
		if (existsSync(iproute)) seeds.push({ name: 'ip-route.txt', bytes: bytesOf(cut(readText(iproute))), variant: 'all' });
		return seeds;
	},
	dictionary: (seeds) => [...vocabulary(seeds, /^[a-z][\w-]*$/, 300), 'Chain X (policy DROP 0 packets, 0 bytes)', 'nexthop', 'via', 'dev', 'link/ether', 'inet6', '/* c */', 'lookup'],
	run(input) {
		const source = text(input);
		let stage = 'converters';
		try {
			const converted: Record<string, string> = {};
			for (const [name, convert] of Object.entries(SOS_CONVERTERS)) {
				stage = `${name}FromText`;
				const { json, skipped } = convert(source);
				if (!Array.isArray(json) || !skipped.every((n) => Number.isInteger(n) && n >= 1)) throw new Violation('output', `${stage} returned a malformed result`);
				converted[name] = JSON.stringify(json);
			}
			stage = 'listingToSave';
			const { save } = listingToSave([{ table: 'filter', text: source, file: 'fuzz' }], 4);
			// What loadSosDirectory does next: the converted outputs go through the host's parsers.
			stage = 'buildHost';
			const raw: RawHostState = { iptables: save, routes: converted['routes'], ipRules: converted['rules'], addresses: converted['links'] };
			try {
				buildHost(raw, { iptables: 'fuzz iptables', routes: 'fuzz routes', ipRules: 'fuzz rules', addresses: 'fuzz addr' });
			} catch (error) {
				if (!(error instanceof InputError)) throw error;
				return checkMessage(error.message, /^fuzz (iptables:\d+:\d+|routes|rules|addr): /, 'buildHost of converted sos text');
			}
			stage = 'buildLinks';
			try {
				buildLinks({ links: converted['links'], bridgeLinks: converted['bridgeLinks'], fdb: converted['fdb'], bridgeVlans: converted['bridgeVlans'] });
			} catch (error) {
				if (!(error instanceof Error) || error.constructor !== Error) throw error;
				return checkMessage(error.message, jsonPathMessage(['ip link', 'bridge link', 'bridge fdb', 'bridge vlan']), 'buildLinks of converted sos text');
			}
			return undefined;
		} catch (error) {
			throw crash(error, stage);
		}
	},
};

// ── snapshots and host states (parse, build, trace, show) ───────────────────────────────────────────

/** Packets traced through every host that builds: they reach the filter, nat and routing code. */
const PROBES = [
	'tcp 10.2.67.113:51000 > 172.16.6.251:22 in ens32',
	'udp 10.0.0.5:5353 > 10.96.0.10:53 in eth0 out eth1',
	'icmp 192.0.2.1 > 10.0.0.1 type 8 in eth0',
	'tcp 10.0.0.1:40000 > 10.0.0.2:80 local',
	'tcp [2001:db8::1]:40000 > [2001:db8::2]:22 in eth0',
].map((e) => packetFromSpec(parseExpression(e.split(' '))));

/**
 * Traces and renders a host that built: the engine may refuse a chain loop, nothing else. One probe and
 * one view per input (picked by the input's length: the same input always takes the same path), human
 * tables one time in eight (cli-table3 costs milliseconds).
 */
function exercise(raw: RawHostState, loaded: ReturnType<typeof buildHost>, label: string, pick: number): void {
	const probe = PROBES[pick % PROBES.length]!;
	try {
		JSON.stringify(tracePacket(loaded.model, probe));
	} catch (error) {
		if (error instanceof ChainLoopError) checkMessage(error.message, /line \d+/, 'ChainLoopError');
		else throw crash(error, `tracePacket (${label})`);
	}
	const source = { ...loaded, label, raw, origins: {} };
	const what = SHOW_WHAT[(pick >>> 3) % SHOW_WHAT.length]!;
	const json = (pick >>> 5) % 8 !== 0;
	try {
		const out = renderShow(what, source, json);
		if (json) JSON.parse(out);
		else if (/[\x1b\x9b\x9d\x90\u202e\u202d\u2066-\u2069]/.test(out)) throw new Violation('output', `show ${what} (human) carries a terminal control or bidi override`);
	} catch (error) {
		if (error instanceof InputError && (what === 'links' || what === 'bridges')) return; // the links view parses its own inputs
		throw crash(error, `renderShow ${what}${json ? ' --json' : ''} (${label})`);
	}
}

const HOST_WHERE = /^(?:snap\.json: )?[a-zA-Z0-9 -]+(?::\d+:\d+: |: (?:(?:routes|rules|links)(?:\[\d+\]|\.[^\s:[]+)*: |nftables: ))/;

const hostTarget: Target = {
	name: 'host',
	what: 'buildHost on a lab host state with one part mutated, then tracePacket and every show view',
	maxLength: 1 << 18,
	seeds(small) {
		const seeds: Seed[] = [];
		for (const { name, doc } of labSnapshots().slice(0, 2)) {
			const outputs = smallOutputs(doc.outputs, small);
			for (const key of RAW_PARTS) {
				const value = outputs[key];
				if (value) seeds.push({ name: `${name} ${key}`, bytes: bytesOf(value), variant: key });
			}
		}
		seeds.push({ name: 'generated iptables', bytes: bytesOf(GENERATED_RULESET), variant: 'iptables' });
		seeds.push({ name: 'generated sysctl', bytes: bytesOf('net.ipv4.ip_forward = 1\nnet.ipv4.conf.all.rp_filter = 2\nnet.netfilter.nf_conntrack_tcp_loose = 0\n'), variant: 'sysctl' });
		seeds.push({ name: 'generated ipset', bytes: bytesOf('create allowed hash:ip family inet hashsize 1024 maxelem 65536\nadd allowed 10.0.0.1\nadd allowed 192.0.2.0/24\n'), variant: 'ipset' });
		return seeds;
	},
	dictionary: (seeds) => [...vocabulary(seeds, /^(-{1,2}[a-z][\w-]*|[a-z_]{3,})$/, 300), '-A INPUT -j X', 'net.ipv4.ip_forward = 0', 'add allowed 0.0.0.0/0'],
	run(input, variant, quick) {
		const base = hostBase();
		const raw: RawHostState = { ...base, [variant]: text(input) };
		let loaded;
		try {
			loaded = buildHost(raw, {});
		} catch (error) {
			if (!(error instanceof InputError) || error.constructor !== InputError) throw crash(error, `buildHost(${variant})`);
			return checkMessage(error.message, HOST_WHERE, `buildHost(${variant})`);
		}
		if (!quick || (input.length & 3) === 0) exercise(raw, loaded, `host ${variant}`, input.length >>> 2);
		return undefined;
	},
};

let cachedBase: RawHostState | undefined;
/** The host the `host` target mutates one part of: the first lab snapshot, made small. */
function hostBase(): RawHostState {
	if (!cachedBase) {
		const lab = labSnapshots()[0];
		cachedBase = lab ? { hostname: 'lab', ...(smallOutputs(lab.doc.outputs, true) as RawHostState) } : { hostname: 'none' };
	}
	return cachedBase;
}

const snapshotTarget: Target = {
	name: 'snapshot',
	what: 'parseSnapshot (a netsleuth snapshot file), then buildHost, tracePacket and every show view',
	json: true,
	maxLength: 1 << 18,
	seeds(small) {
		return labSnapshots().map(({ name, doc }) => ({
			name,
			bytes: bytesOf(JSON.stringify({ ...doc, outputs: smallOutputs(doc.outputs, small) }, null, 1)),
			variant: 'file',
		}));
	},
	dictionary: (seeds) => [...vocabulary(seeds, /^[a-zA-Z_]{3,}$/, 200), 'format', 'formatVersion', 'outputs', 'netsleuth-snapshot', 'missing', '__proto__', 'constructor'],
	run(input, _variant, quick) {
		let loaded;
		try {
			loaded = parseSnapshot(text(input), 'snap.json');
		} catch (error) {
			if (!(error instanceof InputError)) throw crash(error, 'parseSnapshot');
			return checkMessage(error.message, /^snap\.json(?::\d+:\d+: not a netsleuth snapshot: invalid JSON: |: (?:.*"\w+"|outputs\.\w+ |not a netsleuth snapshot: expected a JSON object|snapshot format version))/, 'parseSnapshot');
		}
		if (!loaded.warnings.every((w) => !LINE_BREAK.test(w))) throw new Violation('message', `a snapshot warning is not one line: ${JSON.stringify(loaded.warnings.find((w) => LINE_BREAK.test(w)))}`);
		let host;
		try {
			host = buildHost(loaded.raw, loaded.origins);
		} catch (error) {
			if (!(error instanceof InputError)) throw crash(error, 'buildHost(snapshot)');
			return checkMessage(error.message, HOST_WHERE, 'buildHost(snapshot)');
		}
		if (!quick || (input.length & 3) === 0) exercise(loaded.raw, host, 'snapshot', input.length >>> 2);
		return undefined;
	},
};

// ── packet expressions ─────────────────────────────────────────────────────────────────────────────

const EXPRESSIONS = [
	'tcp 10.2.67.113:51000 > 172.16.6.251:22 in ens32',
	'udp 10.0.0.5:5353 -> 10.96.0.10:53 in eth0 out eth1 mark 0x10 state ESTABLISHED',
	'icmp 192.0.2.1 > 10.0.0.1 type echo-request in eth0',
	'icmpv6 fe80::1 > ff02::1 type 135/0',
	'tcp [2001:db8::1]:40000 > [2001:db8::2]:22 in eth0 flags SYN,ACK ttl 1 len 1500',
	'6 10.0.0.1:1 > 10.0.0.2:2 local uid 1000',
	'sctp 10.0.0.1:9 > 10.0.0.2:9 mac 02:00:00:00:00:01',
	'10.0.0.1 > 10.0.0.2',
	'47 10.0.0.1 > 10.0.0.2 state INVALID',
];

const packetTarget: Target = {
	name: 'packet',
	what: 'parseExpression + packetFromSpec (the trace command\'s packet words)',
	maxLength: 1 << 14,
	seeds: () => EXPRESSIONS.map((e, i) => ({ name: `expression ${i}`, bytes: bytesOf(e), variant: 'words' })),
	dictionary: () => ['tcp', 'udp', 'icmp', 'icmpv6', '>', '->', 'in', 'out', 'mark', 'state', 'flags', 'type', 'mac', 'len', 'ttl', 'uid', 'local', 'NONE', 'FIN,SYN,RST,PSH,ACK,URG,ECE,CWR', '[::1]:', ':65536', 'echo-reply', '255/255', '0x'],
	run(input) {
		// The shell hands the words over; only spaces separate them here (tabs and newlines stay in the word).
		const words = text(input).split(' ').filter((w) => w !== '');
		try {
			packetFromSpec(parseExpression(words));
			return undefined;
		} catch (error) {
			if (!(error instanceof PacketSpecError)) throw crash(error, 'parseExpression/packetFromSpec');
			return checkMessage(error.message, (m) => /"[^"]*"|--[a-z]|at the end|IPv4 or both IPv6/.test(m), 'packet expression');
		}
	},
};

// ── --filter expressions ───────────────────────────────────────────────────────────────────────────

const FILTERS = [
	'host 10.0.0.1', 'src host 10.0.0.1 and dst net 172.16.0.0/12', 'tcp dst port 22 or udp src port 53', 'portrange 1000-2000',
	'not (arp or icmp6) && !vlan', 'ether src 02:00:00:00:00:0a', 'ether host 2-0-0-0-0-b', 'vlan 100 and ip', 'ip6 and src fd00::1',
	'(tcp port 80 || tcp port 443) and not host 192.0.2.1', 'icmp', 'dst 2001:db8::1', 'udp and (port 4789 or port 6081)', 'net ::/0',
];

let probeFrames: DecodedPacket[] | undefined;
/** Decoded packets of every kind, for running parsed filters. */
function decodedProbes(): DecodedPacket[] {
	if (!probeFrames) {
		const frames = g.mixedFrames(16);
		probeFrames = frames.map((data, i) => decodeFrame({ n: i + 1, offset: 0, hasTs: true, sec: 0, nsec: 0, digits: 6, linkType: 1, iface: 0, ifName: undefined, caplen: data.length, len: data.length, buf: data, start: 0 }));
	}
	return probeFrames;
}

const filterTarget: Target = {
	name: 'filter',
	what: 'parseFilter + matchFilter (pcap --filter)',
	maxLength: 1 << 16,
	seeds: () => FILTERS.map((f, i) => ({ name: `filter ${i}`, bytes: bytesOf(f), variant: 'expr' })),
	dictionary: () => ['and', 'or', 'not', '!', '&&', '||', '(', ')', 'host', 'net', 'port', 'portrange', 'src', 'dst', 'ether', 'vlan', 'tcp', 'udp', 'icmp', 'icmp6', 'arp', 'ip', 'ip6', '(((((', ')))))', 'not not not', '65536', '1-65535', '4096'],
	run(input) {
		const expr = text(input);
		let node;
		try {
			node = parseFilter(expr);
		} catch (error) {
			if (!(error instanceof FilterError)) throw crash(error, 'parseFilter');
			const column = /column (\d+)/.exec(error.message);
			if (column && Number(column[1]) > expr.length + 1) throw new Violation('message', `FilterError column ${column[1]} beyond the expression's ${expr.length} characters`);
			return checkMessage(error.message, /column \d+/, 'parseFilter');
		}
		try {
			for (const d of decodedProbes()) matchFilter(node, d);
		} catch (error) {
			throw crash(error, 'matchFilter');
		}
		return undefined;
	},
};

// ── pcap and pcapng ────────────────────────────────────────────────────────────────────────────────

/** A capture cut after its first records (header and interface blocks kept): small seeds. */
function shrinkCapture(bytes: Uint8Array, budget: number): Uint8Array {
	if (bytes.length <= budget) return bytes;
	const reader = new CaptureReader();
	reader.feed(bytes);
	let end = 0;
	try {
		let frame;
		while ((frame = reader.next()) !== undefined) {
			end = reader.consumed;
			if (end >= budget) break;
			void frame;
		}
	} catch {
		// keep what read
	}
	return bytes.subarray(0, Math.max(end, Math.min(bytes.length, 64)));
}

function generatedCaptures(): Seed[] {
	const frames = g.mixedFrames(24);
	const records = (list: Uint8Array[]) => list.map((data, i) => ({ sec: 1_700_000_000 + i, nsec: i * 1000, data }));
	const ip4 = g.ipv4('10.0.0.1', '10.0.0.2', 6, g.tcp(1234, 80, new Uint8Array(0), { flags: 0x02 }));
	const ip6 = g.ipv6('2001:db8::1', '2001:db8::2', 17, g.udp(1234, 53, g.dnsQuery(7, 'a.example', 1)));
	const A = '02:00:00:00:00:0a';
	const tunnels = [
		g.eth(A, A, 0x0800, g.ipv4('10.0.0.1', '10.0.0.2', 47, g.gre(0x0800, ip4, 7))),
		g.eth(A, A, 0x0800, g.ipv4('10.0.0.1', '10.0.0.2', 17, g.udp(1, 6081, g.geneve(5, 0x6558, g.eth(A, A, 0x86dd, ip6))))),
		g.eth(A, A, 0x0800, g.ipv4('10.0.0.1', '10.0.0.2', 17, g.udp(1, 51820, g.wireguardInitiation(9)))),
		g.eth(A, A, 0x86dd, g.ipv6('fe80::1', 'ff02::1', 58, g.routerAdvertisement('2001:db8::', 64, A))),
		g.eth(A, A, 0x86dd, g.ipv6('fe80::1', 'ff02::1', 58, g.neighborSolicitation('fe80::2', A))),
		g.eth(A, A, 0x0800, g.ipv4('10.0.0.1', '10.0.0.2', 1, g.icmp(3, 3, g.ipv4('10.0.0.2', '10.0.0.1', 17, g.udp(5, 53, new Uint8Array(4)))))),
		g.eth(A, A, 0x88a8, g.vlan(10, 0x8100, g.vlan(20, 0x0800, ip4))),
		g.eth(A, A, 0x0800, g.ipv4('10.0.0.1', '10.0.0.2', 17, g.udp(53, 9, g.dnsResponse(7, 'a.example', '192.0.2.1')))),
	];
	const seeds: Seed[] = [
		{ name: 'gen le-usec.pcap', bytes: g.pcapFile(records(frames.slice(0, 8))), variant: 'bytes' },
		{ name: 'gen be-nsec.pcap', bytes: g.pcapFile(records(frames.slice(8, 16)), { le: false, nano: true }), variant: 'bytes' },
		{ name: 'gen tunnels.pcap', bytes: g.pcapFile(records(tunnels)), variant: 'bytes' },
		{ name: 'gen sll.pcap', bytes: g.pcapFile(records([g.sll(0, A, 0x0800, ip4), g.sll(4, A, 0x86dd, ip6)]), { linkType: 113 }), variant: 'bytes' },
		{ name: 'gen sll2.pcap', bytes: g.pcapFile(records([g.sll2(3, 0, A, 0x0800, ip4), g.sll2(7, 4, A, 0x86dd, ip6)]), { linkType: 276 }), variant: 'bytes' },
		{ name: 'gen raw.pcap', bytes: g.pcapFile(records([ip4, ip6]), { linkType: 101 }), variant: 'bytes' },
		{ name: 'gen null.pcap', bytes: g.pcapFile(records([g.nullLink(2, ip4), g.nullLink(30, ip6)]), { linkType: 0 }), variant: 'bytes' },
		{ name: 'gen ipv4.pcap', bytes: g.pcapFile(records([ip4]), { linkType: 228 }), variant: 'bytes' },
		{ name: 'gen snaplen.pcap', bytes: g.pcapFile(records(frames.slice(0, 4)), { snaplen: 64 }), variant: 'bytes' },
		{
			name: 'gen sections.pcapng',
			bytes: g.pcapngFile([
				{ le: true, extraBlocks: true, interfaces: [{ linkType: 1, name: 'eth0\x1b[2J\u202e' }, { linkType: 101, tsresol: 9 }], records: [{ ...records(frames.slice(0, 1))[0]!, iface: 0 }, { sec: 1, nsec: 2, data: ip4, iface: 1 }] },
				{ le: false, interfaces: [{ linkType: 1, name: 'eth1', tsresol: 0x80 | 20 }], records: records(frames.slice(1, 3)) },
				{ le: true, interfaces: [{ linkType: 1, snaplen: 64 }], records: records(frames.slice(4, 6)), simple: true },
			]),
			variant: 'bytes',
		},
	];
	return seeds;
}

interface CaptureRun {
	frames: number;
	error: CaptureError | undefined;
	summaries: string[];
}

/** Reads a capture fed in chunks of `chunk` bytes; decodes, summarises and JSON-encodes every frame. */
function readCapture(input: Uint8Array, chunk: number): CaptureRun {
	const reader = new CaptureReader();
	const summaries: string[] = [];
	let frames = 0;
	const visit = (frame: Frame) => {
		frames++;
		if (frame.n !== frames) throw new Violation('output', `frame numbered ${frame.n}, expected ${frames}`);
		if (frame.start < 0 || frame.start + frame.caplen > frame.buf.length) throw new Violation('output', `frame ${frame.n} reaches past its buffer`);
		const d = decodeFrame(frame);
		const summary = summarize(d);
		const safe = safeText(summary);
		if (/[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/.test(safe)) throw new Violation('output', `packet ${frame.n}: the human summary keeps a control character`);
		summaries.push(summary);
		const line = jsonLine(d);
		let parsed: { n?: number; caplen?: number; summary?: string };
		try {
			parsed = JSON.parse(line) as typeof parsed;
		} catch (error) {
			throw new Violation('output', `packet ${frame.n}: its --json line is not JSON (${(error as Error).message}): ${line.slice(0, 200)}`);
		}
		if (parsed.n !== frame.n || parsed.caplen !== frame.caplen || parsed.summary !== summary) throw new Violation('output', `packet ${frame.n}: its --json line does not say what the packet is`);
		try {
			toEnginePacket(d);
		} catch (error) {
			if (!(error instanceof PacketSpecError)) throw error;
			checkMessage(error.message, /packet \d+/, 'toEnginePacket');
		}
	};
	try {
		for (let o = 0; o < input.length || o === 0; o += chunk) {
			// A copy per chunk: frames already yielded must stay valid after later feeds.
			reader.feed(new Uint8Array(input.subarray(o, Math.min(input.length, o + chunk))));
			let frame;
			while ((frame = reader.next()) !== undefined) visit(frame);
			if (input.length === 0) break;
		}
		reader.end();
		return { frames, error: undefined, summaries };
	} catch (error) {
		if (error instanceof CaptureError) return { frames, error, summaries };
		throw error;
	}
}

const pcapTarget: Target = {
	name: 'pcap',
	what: 'CaptureReader (pcap, pcapng) + decodeFrame + summarize + jsonLine + toEnginePacket, whole and in small chunks',
	binary: true,
	maxLength: 1 << 18,
	seeds(small) {
		const seeds: Seed[] = [];
		for (const path of files(`${CORPUS}pcap/`, /\.pcap(ng)?$/)) {
			const bytes = readFileSync(path);
			const cut = small ? shrinkCapture(bytes, 1500) : shrinkCapture(bytes, 64 * 1024);
			// A first record of tens of KB (BIG TCP) makes every mutant slow: the long run keeps those.
			if (!small || cut.length <= 4096) seeds.push({ name: path.slice(CORPUS.length), bytes: cut, variant: 'bytes' });
		}
		seeds.push(...generatedCaptures());
		return seeds;
	},
	dictionary: () => ['\xd4\xc3\xb2\xa1', '\xa1\xb2\xc3\xd4', '\x0a\x0d\x0d\x0a', '\x4d\x3c\xb2\xa1', '\x1a\x2b\x3c\x4d', '\x00\x00\x00\x00', '\xff\xff\xff\xff'],
	run(input) {
		let whole: CaptureRun;
		let pieces: CaptureRun;
		try {
			whole = readCapture(input, Math.max(1, input.length));
			pieces = readCapture(input, 16 + (input.length % 113));
		} catch (error) {
			throw crash(error, 'capture reader/decoder');
		}
		if (whole.frames !== pieces.frames || whole.error?.message !== pieces.error?.message || whole.summaries.join('\n') !== pieces.summaries.join('\n')) {
			throw new Violation('output', `reading in chunks differs from reading whole: ${whole.frames} vs ${pieces.frames} frames, ${whole.error?.message} vs ${pieces.error?.message}`);
		}
		const error = whole.error;
		if (!error) return undefined;
		if (!Number.isInteger(error.offset) || error.offset < 0 || error.offset > input.length) throw new Violation('message', `CaptureError offset ${error.offset} outside the input's ${input.length} bytes: ${error.message}`);
		if (error.packetsBefore !== whole.frames) throw new Violation('message', `CaptureError says ${error.packetsBefore} packets before, ${whole.frames} were read`);
		return checkMessage(error.message, /^byte offset \d+: /, 'CaptureReader');
	},
};

export const TARGETS: readonly Target[] = [rulesetTarget, routesTarget, rulesTarget, addressesTarget, linksTarget, sosTarget, snapshotTarget, hostTarget, packetTarget, filterTarget, pcapTarget];

export function targetByName(name: string): Target {
	const target = TARGETS.find((t) => t.name === name);
	if (!target) throw new Error(`unknown fuzz target "${name}" (one of ${TARGETS.map((t) => t.name).join(', ')})`);
	return target;
}
