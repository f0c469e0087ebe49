import { setFlagsFromString } from 'node:v8';
import Table from 'cli-table3';
import { InputError } from '../host/model.js';
import type { Bridge, Link, LinkModel } from '../links/model.js';
import { buildLinks } from '../links/parse.js';
import { transientRule } from '../netfilter/parse.js';
import { chainReferences } from '../netfilter/references.js';
import type { Chain, MatchUse, Rule, Ruleset, TargetUse } from '../netfilter/ruleset.js';
import { type Cidr, formatIp, type Ip } from '../packet/address.js';
import { formatRule as formatIpRule, type IpRule, type Route } from '../routing/routes.js';
import { safeText } from '../views/safe-text.js';
import { resolveSource, type ResolvedSource, type SourceFlags } from './sources.js';

/** `netsleuth show rules|routes|links|bridges`: tables for people, --json for programs. */
export const SHOW_WHAT = ['rules', 'routes', 'links', 'bridges'] as const;
export type ShowWhat = (typeof SHOW_WHAT)[number];

export interface ShowArgs {
	readonly what: ShowWhat;
	readonly source: SourceFlags;
	readonly json: boolean;
	readonly readStdin: () => Promise<string>;
	readonly warn: (line: string) => void;
	/** Where `show rules --json` goes piece by piece (runShow); its promise, if any, says when to go on (the pipe drained). */
	readonly write?: (text: string) => Promise<unknown> | void;
}

/** Plain tables: no colour codes (they would land in pipes and files), ASCII-safe borders kept. */
function table(head: string[]): Table.Table {
	return new Table({ head, style: { head: [], border: [], compact: true } });
}

const s = safeText;

// ── rules: iptables -L CHAIN --line-numbers -v -n ──────────────────────────────────────────────────

const PROTOCOL_NAMES: Record<number, string> = { 0: 'all', 1: 'icmp', 6: 'tcp', 17: 'udp', 58: 'ipv6-icmp', 47: 'gre', 50: 'esp', 51: 'ah', 132: 'sctp', 136: 'udplite', 33: 'dccp' };

/** iptables' counter format without -x: up to 99999 exact, then K, M, G, T (rounded as iptables does). */
export function shortCount(n: bigint): string {
	let value = n;
	for (const unit of ['', 'K', 'M', 'G', 'T']) {
		if (value <= 99999n) return `${value}${unit}`;
		value = (value + 500n) / 1000n;
	}
	return `${value}P`;
}

function cidrText(cidr: Cidr): string {
	const max = cidr.family === 4 ? 32 : 128;
	return cidr.prefix === max ? formatIp(cidr) : `${formatIp(cidr)}/${cidr.prefix}`;
}

const words = (use: { args: readonly { text: string }[] }) => use.args.map((a) => a.text).join(' ');
const neg = (use: { negated: boolean }) => (use.negated ? '!' : '');

/** A match as iptables -L prints it (its extension's print function); unknown ones as written. */
function listMatch(match: MatchUse): string {
	const uses = match.uses;
	const get = (name: string) => uses.find((u) => u.name === name);
	switch (match.name) {
		case 'tcp': case 'udp': case 'sctp': case 'udplite': case 'dccp': {
			const parts: string[] = [match.name];
			for (const use of uses) {
				const value = words(use);
				if (use.name === '--sport' || use.name === '--source-port') parts.push(`spt${value.includes(':') ? 's' : ''}:${neg(use)}${value}`);
				else if (use.name === '--dport' || use.name === '--destination-port') parts.push(`dpt${value.includes(':') ? 's' : ''}:${neg(use)}${value}`);
				else if (use.name === '--tcp-flags') parts.push(`flags:${neg(use)}${use.args.map((a) => a.text).join('/')}`);
				else if (use.name === '--syn') parts.push(`flags:${neg(use)}FIN,SYN,RST,ACK/SYN`);
				else if (use.name === '--tcp-option') parts.push(`option=${neg(use)}${value}`);
				else parts.push(`${neg(use)}${use.name} ${value}`.trim());
			}
			return parts.join(' ');
		}
		case 'icmp': {
			const use = get('--icmp-type');
			if (!use) return 'icmp';
			const [type, code] = words(use).split('/');
			return `${neg(use)}icmptype ${type}${code !== undefined ? ` code ${code}` : ''}`;
		}
		case 'icmp6': case 'icmpv6': {
			const use = get('--icmpv6-type');
			return use ? `${neg(use)}ipv6-icmptype ${words(use)}` : 'ipv6-icmp';
		}
		case 'conntrack':
			return uses.map((u) => `${neg(u)}${u.name.replace(/^--/, '')} ${words(u)}`).join(' ');
		case 'state': {
			const use = get('--state');
			return use ? `${neg(use)}state ${words(use)}` : 'state';
		}
		case 'set': {
			const use = get('--match-set');
			return use ? `${neg(use)}match-set ${words(use)}` : 'set';
		}
		case 'multiport':
			return `multiport ${uses.map((u) => `${u.name.replace(/^--/, '')} ${neg(u)}${words(u)}`).join(' ')}`;
		case 'comment': {
			const use = get('--comment');
			return use ? `/* ${words(use)} */` : '';
		}
		case 'physdev':
			return `PHYSDEV match ${uses.map((u) => `${u.negated ? '! ' : ''}${u.name}${u.args.length ? ` ${words(u)}` : ''}`).join(' ')}`;
		case 'limit': {
			const limit = get('--limit');
			const burst = get('--limit-burst');
			return `limit: avg ${limit ? words(limit) : '3/hour'} burst ${burst ? words(burst) : '5'}`;
		}
		case 'mac': {
			const use = get('--mac-source');
			return use ? `MAC ${neg(use)}${words(use)}` : 'MAC';
		}
		case 'mark': {
			const use = get('--mark');
			return use ? `mark match ${neg(use)}${words(use)}` : 'mark';
		}
		case 'addrtype':
			return `ADDRTYPE match ${uses.map((u) => `${neg(u)}${u.name.replace(/^--/, '')} ${words(u)}`.trim()).join(' ')}`;
		default:
			return match.tokens.map((t) => t.raw).join(' ');
	}
}

/** The target's own options as iptables -L prints them. */
function listTarget(rule: Rule): string {
	const target: TargetUse | undefined = rule.target;
	if (!target) return '';
	// The target's options follow `-j NAME` in the rule's words.
	const at = rule.tokens.findIndex((t) => (t.text === '-j' || t.text === '-g' || t.text === '--jump' || t.text === '--goto') && rule.tokens[rule.tokens.indexOf(t) + 1]?.text === target.name);
	const options = at < 0 ? [] : rule.tokens.slice(at + 2);
	const after = (name: string) => {
		const i = options.findIndex((t) => t.text === name);
		return i < 0 ? undefined : options[i + 1]?.text;
	};
	switch (target.name) {
		case 'REJECT':
			return `reject-with ${after('--reject-with') ?? 'icmp-port-unreachable'}`;
		case 'LOG': {
			const prefix = after('--log-prefix');
			return `LOG flags 0 level ${after('--log-level') ?? '4'}${prefix !== undefined ? ` prefix "${prefix}"` : ''}`;
		}
		case 'DNAT':
			return `to:${after('--to-destination') ?? ''}`;
		case 'SNAT':
			return `to:${after('--to-source') ?? ''}`;
		case 'MASQUERADE':
			return after('--to-ports') !== undefined ? `masq ports: ${after('--to-ports')}` : '';
		case 'REDIRECT':
			return after('--to-ports') !== undefined ? `redir ports ${after('--to-ports')}` : '';
		case 'MARK': {
			const xset = after('--set-xmark');
			if (xset !== undefined) return `MARK xset ${xset}`;
			const set = after('--set-mark');
			return set !== undefined ? `MARK set ${set}` : options.map((t) => t.raw).join(' ');
		}
		default:
			return options.map((t) => t.raw).join(' ');
	}
}

export interface RuleRow {
	readonly num: number;
	readonly pkts: string;
	readonly bytes: string;
	readonly target: string;
	readonly prot: string;
	readonly opt: string;
	readonly in: string;
	readonly out: string;
	readonly source: string;
	readonly destination: string;
	readonly extra: string;
	/** The rule as iptables-save prints it. */
	readonly text: string;
}

export function ruleRow(rule: Rule, num: number, family: 4 | 6 = 4): RuleRow {
	const b = rule.basic;
	const anyAddress = family === 6 ? '::/0' : '0.0.0.0/0';
	const address = (n: { value: Cidr; negated: boolean } | undefined) => (n ? `${n.negated ? '!' : ''}${cidrText(n.value)}` : anyAddress);
	const iface = (n: { value: string; negated: boolean } | undefined) => (n ? `${n.negated ? '!' : ''}${n.value}` : '*');
	const proto = b.protocol ? `${b.protocol.negated ? '!' : ''}${PROTOCOL_NAMES[b.protocol.value.number] ?? b.protocol.value.name}` : 'all';
	const extra = [...rule.matches.filter((m) => m.tokens.length > 0 || m.name !== b.protocol?.value.name).map(listMatch), listTarget(rule)].filter(Boolean).join(' ');
	return {
		num,
		pkts: rule.counters ? shortCount(rule.counters.packets) : '0',
		bytes: rule.counters ? shortCount(rule.counters.bytes) : '0',
		target: rule.target?.name ?? '',
		prot: proto,
		opt: b.fragment ? (b.fragment.negated ? '!f' : '-f') : '--',
		in: iface(b.inInterface),
		out: iface(b.outInterface),
		source: address(b.source),
		destination: address(b.destination),
		extra,
		text: rule.text,
	};
}

interface ChainView {
	readonly family: 4 | 6;
	readonly table: string;
	readonly chain: string;
	readonly policy: string | null;
	readonly packets: string | null;
	readonly bytes: string | null;
	readonly references: number | null;
}

/** Each chain's heading, in iptables-save order; its rules are rowed one at a time (ruleRows). */
function* chainViews(ruleset: Ruleset): Generator<[ChainView, Chain]> {
	for (const table of ruleset.tables.values()) {
		const references = chainReferences(table);
		for (const chain of table.chains.values()) {
			yield [{
				family: ruleset.family,
				table: table.name,
				chain: chain.name,
				policy: chain.builtin ? chain.policy ?? 'ACCEPT' : null,
				packets: chain.builtin ? String(chain.counters?.packets ?? 0n) : null,
				bytes: chain.builtin ? String(chain.counters?.bytes ?? 0n) : null,
				references: chain.builtin ? null : references.get(chain.name) ?? 0,
			}, chain];
		}
	}
}

function* ruleRows(chain: Chain, family: 4 | 6): Generator<RuleRow> {
	for (let i = 0; i < chain.rules.length; i++) yield ruleRow(transientRule(chain.rules[i]!), i + 1, family);
}

function* allChains(host: ResolvedSource): Generator<[ChainView, Chain]> {
	if (host.model.rules4) yield* chainViews(host.model.rules4);
	if (host.model.rules6) yield* chainViews(host.model.rules6);
}

/** What JSON.stringify writes as an escape in a string: quotes, backslashes, controls, lone surrogates. */
const NEEDS_ESCAPE = /["\\\x00-\x1f\ud800-\udfff]/;

const jsonValue = (v: unknown) => (typeof v === 'string' && !NEEDS_ESCAPE.test(v) ? `"${v}"` : JSON.stringify(v));

/**
 * JSON.stringify(value, null, 2) as it prints when nested `depth` levels deep; an object of strings,
 * numbers and nulls (a rule row, a chain heading) written directly, a million rows being common.
 */
function prettyJsonAt(value: object, depth: number): string {
	const indent = `\n${'  '.repeat(depth + 1)}`;
	let out = '';
	for (const [key, v] of Object.entries(value)) {
		if (v !== null && typeof v === 'object') return JSON.stringify(value, null, 2).replace(/\n/g, `\n${'  '.repeat(depth)}`);
		if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
		out += `${out ? ',' : '{'}${indent}${jsonValue(key)}: ${jsonValue(v)}`;
	}
	return out ? `${out}\n${'  '.repeat(depth)}}` : '{}';
}

/**
 * `show rules --json` piece by piece: the bytes of JSON.stringify({ host, chains }, null, 2) with every
 * chain's rules in a "rules" array, but a million-rule dump is never one string or one object.
 */
function* rulesJson(host: ResolvedSource): Generator<string> {
	yield `{\n  "host": ${JSON.stringify(host.model.name)},\n  "chains": [`;
	let chains = 0;
	for (const [view, chain] of allChains(host)) {
		// The chain's heading without its closing "\n    }": its rules follow inside it.
		const head = prettyJsonAt(view, 2).slice(0, -'\n    }'.length);
		yield `${chains++ ? ',' : ''}\n    ${head},\n      "rules": [`;
		let rules = 0;
		for (const row of ruleRows(chain, view.family)) yield `${rules++ ? ',' : ''}\n        ${prettyJsonAt(row, 4)}`;
		yield rules ? '\n      ]\n    }' : ']\n    }';
	}
	yield chains ? '\n  ]\n}' : ']\n}';
}

function renderRules(host: ResolvedSource, json: boolean): string {
	if (json) return [...rulesJson(host)].join('');
	const out: string[] = [];
	let heading = '';
	for (const [view, chain] of allChains(host)) {
		const title = `${view.family === 4 ? 'iptables' : 'ip6tables'} -t ${view.table}`;
		if (title !== heading) {
			out.push(`# ${title}`);
			heading = title;
		}
		out.push(view.policy !== null
			? `Chain ${s(view.chain)} (policy ${s(view.policy)} ${view.packets} packets, ${view.bytes} bytes)`
			: `Chain ${s(view.chain)} (${view.references} references)`);
		if (chain.rules.length === 0) continue;
		const t = table(['num', 'pkts', 'bytes', 'target', 'prot', 'opt', 'in', 'out', 'source', 'destination', '']);
		for (const r of ruleRows(chain, view.family)) t.push([String(r.num), r.pkts, r.bytes, s(r.target), s(r.prot), r.opt, s(r.in), s(r.out), r.source, r.destination, s(r.extra)]);
		out.push(t.toString());
	}
	return out.length ? out.join('\n') : `${s(host.model.name)}: no iptables rules were read`;
}

// ── routes: ip rule and ip route show table all ───────────────────────────────────────────────────

const hostText = (ip: Ip) => formatIp(ip);

/** A route exactly as `ip route show table all` prints it (trailing spaces aside), multipath hops on their own lines. */
export function routeLine(route: Route, withTable = true): string {
	const parts: string[] = [];
	if (route.type !== 'unicast') parts.push(route.type);
	parts.push(route.dst.prefix === 0 ? 'default' : cidrText(route.dst));
	if (route.src) parts.push('from', cidrText(route.src));
	if (route.tos) parts.push('tos', `0x${route.tos.toString(16)}`);
	if (route.gateway) parts.push('via', hostText(route.gateway));
	if (route.dev) parts.push('dev', route.dev);
	if (withTable && route.table !== 'main') parts.push('table', route.table);
	if (route.protocol && route.protocol !== 'boot') parts.push('proto', route.protocol);
	if (route.scope && route.scope !== 'global' && route.scope !== 'universe') parts.push('scope', route.scope);
	if (route.prefsrc) parts.push('src', hostText(route.prefsrc));
	if (route.metric || route.family === 6) parts.push('metric', String(route.metric));
	parts.push(...route.flags);
	if (route.pref) parts.push('pref', route.pref);
	let line = parts.join(' ');
	for (const hop of route.nexthops ?? []) {
		line += `\n\tnexthop${hop.gateway ? ` via ${hostText(hop.gateway)}` : ''}${hop.dev ? ` dev ${hop.dev}` : ''} weight ${hop.weight}${hop.flags.length ? ` ${hop.flags.join(' ')}` : ''}`;
	}
	return line;
}

function routeJson(route: Route): Record<string, unknown> {
	return {
		family: route.family, type: route.type, dst: route.dst.prefix === 0 ? 'default' : cidrText(route.dst), table: route.table,
		...(route.src ? { from: cidrText(route.src) } : {}), ...(route.gateway ? { gateway: hostText(route.gateway) } : {}),
		...(route.dev ? { dev: route.dev } : {}), ...(route.protocol ? { protocol: route.protocol } : {}), ...(route.scope ? { scope: route.scope } : {}),
		...(route.prefsrc ? { prefsrc: hostText(route.prefsrc) } : {}), metric: route.metric, ...(route.tos ? { tos: route.tos } : {}),
		...(route.pref ? { pref: route.pref } : {}), flags: route.flags,
		...(route.nexthops ? { nexthops: route.nexthops.map((h) => ({ ...(h.gateway ? { gateway: hostText(h.gateway) } : {}), ...(h.dev ? { dev: h.dev } : {}), weight: h.weight, flags: h.flags })) } : {}),
		text: routeLine(route),
	};
}

function ruleJson(rule: IpRule): Record<string, unknown> {
	return { family: rule.family, priority: rule.priority, action: rule.action, ...(rule.table ? { table: rule.table } : {}), text: `${rule.priority}:\t${formatIpRule(rule)}` };
}

/** Tables in the order ip prints them for `table all`: per family, main and numbered first, then local. */
function routeOrder(routes: readonly Route[]): Route[] {
	return [...routes];
}

function renderRoutes(host: ResolvedSource, json: boolean): string {
	const routing = host.model.routing;
	if (!routing) {
		if (json) return JSON.stringify({ host: host.model.name, rules: [], routes: [] }, null, 2);
		return `${s(host.model.name)}: no routes were read`;
	}
	const routes = routeOrder(routing.routes);
	if (json) return JSON.stringify({ host: host.model.name, rules: routing.rules.map(ruleJson), routes: routes.map(routeJson) }, null, 2);
	const out: string[] = [];
	if (routing.rules.length) {
		out.push('# ip rule');
		const t = table(['family', 'priority', 'rule']);
		for (const rule of routing.rules) t.push([rule.family === 4 ? 'IPv4' : 'IPv6', String(rule.priority), s(formatIpRule(rule))]);
		out.push(t.toString());
	}
	out.push('# ip route show table all');
	const t = table(['table', 'route']);
	for (const route of routes) t.push([s(route.table), s(routeLine(route, false))]);
	out.push(t.toString());
	return out.join('\n');
}

// ── links and bridges ──────────────────────────────────────────────────────────────────────────────

export function linkModelOf(host: ResolvedSource): LinkModel {
	const raw = host.raw;
	if (raw.links === undefined && raw.addresses === undefined) throw new InputError(`${host.label}: no interfaces were read (give --links FILE with ip -j -d addr, a snapshot, or a live host)`);
	const origin = host.origins.links ?? host.origins.addresses ?? 'ip -j -d link';
	try {
		return buildLinks(raw);
	} catch (error) {
		throw new InputError(`${origin}: ${(error as Error).message}`);
	}
}

/** What kind of interface, in a few words: "veth ↔ vb", "vlan 100 (802.1Q) on eth0", "vxlan 42 → 192.0.2.50:4789". */
export function linkDetails(link: Link): string {
	switch (link.kind) {
		case 'veth': {
			const v = link.veth ?? {};
			const where = v.peerNetns ?? (v.peerNetnsId !== undefined ? `netns id ${v.peerNetnsId}` : undefined);
			const peer = v.peer ?? (v.peerIndex !== undefined ? `if${v.peerIndex}` : '?');
			return `↔ ${peer}${where ? ` in ${where}` : ''}`;
		}
		case 'vlan':
			return `id ${link.vlan?.id} ${link.vlan?.protocol} → ${link.vlan?.parent ?? '?'}`;
		case 'vxlan': {
			const x = link.vxlan!;
			return [`vni ${x.vni}`, x.remote ? `remote ${x.remote}` : x.group ? `group ${x.group}` : '', x.local ? `local ${x.local}` : '', x.port !== undefined ? `port ${x.port}` : '', x.dev ? `dev ${x.dev}` : ''].filter(Boolean).join(' ');
		}
		case 'bond':
			return [`mode ${link.bond?.mode ?? '?'}`, link.bond?.slaves.length ? `slaves ${link.bond.slaves.join(',')}` : '', link.bond?.activeSlave ? `active ${link.bond.activeSlave}` : ''].filter(Boolean).join(' ');
		case 'bridge':
			return `ports ${link.bridge?.ports.join(',') || 'none'}${link.bridge?.vlanFiltering ? ' vlan_filtering' : ''}${link.bridge?.stp ? ' stp' : ''}`;
		case 'macvlan': case 'macvtap':
			return `mode ${link.macvlan?.mode ?? '?'} → ${link.macvlan?.parent ?? link.parent ?? '?'}`;
		case 'ipvlan': case 'ipvtap':
			return `mode ${link.ipvlan?.mode ?? '?'} → ${link.ipvlan?.parent ?? link.parent ?? '?'}`;
		case 'tun': case 'tap':
			return link.tuntap?.persist ? 'persist' : '';
		default:
			if (link.tunnel) return [link.tunnel.remote ? `remote ${link.tunnel.remote}` : '', link.tunnel.local ? `local ${link.tunnel.local}` : '', link.tunnel.dev ? `dev ${link.tunnel.dev}` : ''].filter(Boolean).join(' ');
			return link.parent ? `→ ${link.parent}` : '';
	}
}

export function stateText(link: Link): string {
	return `${link.state}${link.up ? '' : ' (admin down)'}`;
}

/**
 * Each link in tree order, a link under its master (bridge, bond) when that is known, with the tree's
 * drawing: `prefix` goes before its own line, `childPrefix` before what hangs under it. A link met again
 * (a loop of masters) is shown, not descended into.
 */
export function visitLinkTree(model: LinkModel, visit: (link: Link, prefix: string, childPrefix: string, hasChildren: boolean) => void): void {
	const names = new Set(model.links.map((l) => l.name));
	const children = new Map<string, Link[]>();
	for (const link of model.links) if (link.master && names.has(link.master)) children.set(link.master, [...(children.get(link.master) ?? []), link]);
	const seen = new Set<string>();
	const walk = (link: Link, prefix: string, childPrefix: string) => {
		const kids = children.get(link.name) ?? [];
		visit(link, prefix, childPrefix, kids.length > 0);
		if (seen.has(link.name)) return;
		seen.add(link.name);
		kids.forEach((kid, i) => {
			const last = i === kids.length - 1;
			walk(kid, `${childPrefix}${last ? '└─ ' : '├─ '}`, `${childPrefix}${last ? '   ' : '│  '}`);
		});
	};
	for (const link of model.links) if (!link.master || !names.has(link.master)) walk(link, '', '');
}

function renderLinks(host: ResolvedSource, json: boolean): string {
	const model = linkModelOf(host);
	if (json) return JSON.stringify({ host: host.model.name, links: model.links, warnings: model.warnings }, null, 2);
	const t = table(['interface', 'kind', 'state', 'mtu', 'mac', 'addresses', 'details']);
	visitLinkTree(model, (link, prefix) => {
		const role = link.bondSlaveState ? ` (${link.bondSlaveState.toLowerCase()})` : '';
		t.push([
			s(`${prefix}${link.name}`), link.kind, s(stateText(link)), link.mtu === undefined ? '' : String(link.mtu), s(link.mac ?? ''),
			link.addresses.map((a) => s(`${a.address}/${a.prefix}`)).join('\n'), s(`${linkDetails(link)}${role}`),
		]);
	});
	const lines = [t.toString(), ...model.warnings.map((w) => `note: ${s(w)}`)];
	return lines.join('\n');
}

function renderBridge(bridge: Bridge): string {
	const out: string[] = [`bridge ${s(bridge.name)}${bridge.mac ? ` ${s(bridge.mac)}` : ''}: ${bridge.up ? 'up' : 'down'}, vlan filtering ${bridge.vlanFiltering ? 'on' : 'off'}, stp ${bridge.stp ? 'on' : 'off'}`];
	const ports = table(['port', 'state', 'pvid', 'vlans', 'flags']);
	for (const port of bridge.ports) {
		const vlans = port.vlans.map((v) => `${v.id}${v.end !== undefined ? `-${v.end}` : ''}${v.untagged ? ' untagged' : ''}${v.pvid ? ' pvid' : ''}`).join(', ');
		const flags = [port.learning === false ? 'no-learning' : '', port.flood === false ? 'no-flood' : '', port.hairpin ? 'hairpin' : '', port.isolated ? 'isolated' : ''].filter(Boolean).join(' ');
		ports.push([s(port.name), s(port.state), port.pvid === undefined ? '' : String(port.pvid), vlans, flags]);
	}
	out.push(bridge.ports.length ? ports.toString() : '(no ports)');
	if (bridge.vlans.length) out.push(`vlans of the bridge itself: ${bridge.vlans.map((v) => `${v.id}${v.untagged ? ' untagged' : ''}${v.pvid ? ' pvid' : ''}`).join(', ')}`);
	const fdb = table(['mac', 'port', 'vlan', 'type', 'remote']);
	for (const e of bridge.fdb) fdb.push([s(e.mac), s(e.port), e.vlan === undefined ? '' : String(e.vlan), e.self ? `${e.state} (self)` : e.state, s(e.dst ?? '')]);
	out.push(bridge.fdb.length ? fdb.toString() : '(empty forwarding database)');
	return out.join('\n');
}

function renderBridges(host: ResolvedSource, json: boolean): string {
	const model = linkModelOf(host);
	if (json) return JSON.stringify({ host: host.model.name, bridges: model.bridges }, null, 2);
	if (model.bridges.length === 0) return `${s(host.model.name)}: no bridges`;
	return model.bridges.map(renderBridge).join('\n\n');
}

/** Renders one view of an already resolved host (the round-trip tests call this on both sources). */
export function renderShow(what: ShowWhat, host: ResolvedSource, json: boolean): string {
	switch (what) {
		case 'rules': return renderRules(host, json);
		case 'routes': return renderRoutes(host, json);
		case 'links': return renderLinks(host, json);
		case 'bridges': return renderBridges(host, json);
	}
}

/**
 * The output, or, given `write`, `show rules --json` written as it is made (in pieces of about 64 KB,
 * waiting for a full pipe to drain) and the rest returned: a million-rule dump's JSON is never held whole.
 */
export async function runShow(args: ShowArgs): Promise<string> {
	const host = await resolveSource(args.source, args.readStdin);
	for (const warning of host.warnings) args.warn(warning);
	if (!(args.write && args.what === 'rules' && args.json)) return renderShow(args.what, host, args.json);
	// Each rule is parsed, written and dropped; but V8 saw the parser's objects live on when the ruleset
	// was read and would now allocate them straight in the old generation (allocation-site pretenuring),
	// where they pile up between full collections: peak RSS 1 GB instead of 380 MB on a million lines.
	setFlagsFromString('--no-allocation-site-pretenuring');
	let pending = '';
	for (const piece of rulesJson(host)) {
		pending += piece;
		if (pending.length >= 1 << 16) {
			await args.write(pending);
			pending = '';
		}
	}
	return pending;
}
