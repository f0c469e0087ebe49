import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { bridgeLinksFromText, bridgeVlansFromText, type Converted, fdbFromText, linksFromText, routesFromText, rulesFromText } from '../links/iproute-text.js';
import { InputError, type Origins, type RawHostState } from './model.js';
import type { LoadedSnapshot } from './snapshot.js';
import { quoted } from '../views/safe-text.js';

/**
 * A sosreport directory: the files sos writes under sos_commands/ (named by its command-name mangling,
 * spaces → "_"), read as netsleuth's raw parts. sos stores iproute2's text output, so it is converted to
 * the JSON `ip -j` prints; sos stores `iptables -t TABLE -nvL` listings, not iptables-save, so those are
 * converted back to rules where every column and match is understood (the rest is left out and said so).
 * File names (sos 4.x, sos/report/plugins/networking.py, firewall_tables.py and kernel.py):
 *   networking/ip_route_show_table_all, ip_-6_route_show_table_all, ip_-4_rule_list, ip_-6_rule_list,
 *   ip_-d_address, ip_-s_-d_link, bridge_-s_-s_-d_link_show, bridge_-s_-s_-d_-t_fdb_show, bridge_-d_vlan_show
 *   firewall_tables/iptables_-t_TABLE_-nvL, ip6tables_-t_TABLE_-nvL, iptables_-vnxL, nft_list_ruleset
 *   kernel/sysctl_-a, kernel/uname_-a; the report's top-level hostname and uname files.
 * Files an administrator adds by hand under those names with netsleuth's JSON (ip -j …) or iptables-save
 * text are read as they are.
 */

const TABLES = ['raw', 'mangle', 'nat', 'filter', 'security'] as const;

function firstFile(root: string, candidates: readonly string[]): string | undefined {
	return candidates.map((c) => join(root, c)).find((path) => {
		try {
			return statSync(path).isFile();
		} catch {
			return false;
		}
	});
}

function read(path: string): string {
	try {
		return readFileSync(path, 'utf8');
	} catch (error) {
		throw new InputError(`${path}: ${(error as NodeJS.ErrnoException).code === 'EACCES' ? 'permission denied' : (error as Error).message}`);
	}
}

const looksJson = (text: string) => /^\s*[[{]/.test(text);

// ── iptables -nvL listings back to iptables-save rules ─────────────────────────────────────────────

const PROTOCOLS: Record<string, string> = { '0': 'all', '1': 'icmp', '6': 'tcp', '17': 'udp', '58': 'ipv6-icmp', '47': 'gre', '50': 'esp', '51': 'ah', '132': 'sctp', '4': 'ipencap', '41': 'ipv6' };
const TCP_FLAGS = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG'];

function flagNames(mask: number): string {
	const names = TCP_FLAGS.filter((_, i) => mask & (1 << i));
	return names.length ? names.join(',') : 'NONE';
}

/** A listed address: `0.0.0.0/0` is any; a bare address is a /32 (or /128). */
function address(text: string, flag: '-s' | '-d', family: 4 | 6): string[] {
	const negated = text.startsWith('!');
	const value = negated ? text.slice(1) : text;
	if (value === '0.0.0.0/0' || value === '::/0') return [];
	const cidr = value.includes('/') ? value : `${value}/${family === 4 ? 32 : 128}`;
	return [...(negated ? ['!'] : []), flag, cidr];
}

function iface(text: string, flag: '-i' | '-o'): string[] {
	if (text === '*') return [];
	return text.startsWith('!') ? ['!', flag, text.slice(1)] : [flag, text];
}

const quote = (text: string) => (/^[\w.:/,+-]+$/.test(text) ? text : `"${text.replace(/(["\\])/g, '\\$1')}"`);

/** Converts the "extra" text of one listed rule; returns the options, or the part it could not read. */
function extraToOptions(extra: string, target: string, proto: string): { options: string[]; unknown?: string } {
	const out: string[] = [];
	let rest = extra.trim();
	const take = (re: RegExp): RegExpExecArray | null => {
		const m = re.exec(rest);
		if (m) rest = rest.slice(m[0].length).trimStart();
		return m;
	};
	let m: RegExpExecArray | null;
	while (rest) {
		if ((m = take(/^\/\* (.*?) \*\//))) out.push('-m', 'comment', '--comment', quote(m[1]!));
		else if ((m = take(/^(tcp|udp|sctp|udplite)((?: (?:!\s?)?(?:spts?|dpts?):\S+| flags:(?:!\s?)?0x[0-9A-F]+\/0x[0-9A-F]+| option=!?\d+)*)(?=\s|$)/i))) {
			out.push('-m', m[1]!);
			for (const part of m[2]!.trim().split(/\s+(?=!|\w)/).filter(Boolean)) {
				const neg = part.startsWith('!');
				const body = part.replace(/^!\s?/, '');
				const [key, value] = body.split(/[:=]/, 2) as [string, string];
				const rangeValue = body.slice(key.length + 1);
				if (neg) out.push('!');
				if (key === 'spt' || key === 'spts') out.push('--sport', rangeValue);
				else if (key === 'dpt' || key === 'dpts') out.push('--dport', rangeValue);
				else if (key === 'option') out.push('--tcp-option', value);
				else if (key === 'flags') {
					const [mask, comp] = rangeValue.split('/').map((h) => parseInt(h, 16));
					out.push('--tcp-flags', flagNames(mask!), flagNames(comp!));
				}
			}
		} else if ((m = take(/^icmptype (\d+)(?: code (\d+))?/))) out.push('-m', 'icmp', '--icmp-type', m[2] === undefined ? m[1]! : `${m[1]}/${m[2]}`);
		else if ((m = take(/^icmpv6 type (\d+)(?: code (\d+))?/))) out.push('-m', 'icmp6', '--icmpv6-type', m[2] === undefined ? m[1]! : `${m[1]}/${m[2]}`);
		else if ((m = take(/^(!\s?)?ctstate (\S+)/))) out.push('-m', 'conntrack', ...(m[1] ? ['!'] : []), '--ctstate', m[2]!);
		else if ((m = take(/^(!\s?)?state (\S+)/))) out.push('-m', 'state', ...(m[1] ? ['!'] : []), '--state', m[2]!);
		else if ((m = take(/^(!\s?)?match-set (\S+) (\S+)/))) out.push('-m', 'set', ...(m[1] ? ['!'] : []), '--match-set', m[2]!, m[3]!);
		else if ((m = take(/^multiport (sports|dports|ports) (!\s?)?(\S+)/))) out.push('-m', 'multiport', ...(m[2] ? ['!'] : []), `--${m[1]}`, m[3]!);
		else if ((m = take(/^PHYSDEV match((?: (?:! )?--physdev-(?:in|out) \S+| (?:! )?--physdev-is-(?:in|out|bridged))+)/))) out.push('-m', 'physdev', ...m[1]!.trim().split(/\s+/));
		else if ((m = take(/^limit: avg (\S+) burst (\d+)/))) out.push('-m', 'limit', '--limit', m[1]!, ...(m[2] === '5' ? [] : ['--limit-burst', m[2]!])); // 5: the default, which -L always prints
		else if ((m = take(/^MAC (!\s?)?([0-9A-Fa-f:]{17})/))) out.push('-m', 'mac', ...(m[1] ? ['!'] : []), '--mac-source', m[2]!);
		else if ((m = take(/^mark match (!\s?)?(\S+)/))) out.push('-m', 'mark', ...(m[1] ? ['!'] : []), '--mark', m[2]!);
		else if ((m = take(/^connmark match (!\s?)?(\S+)/))) out.push('-m', 'connmark', ...(m[1] ? ['!'] : []), '--mark', m[2]!);
		else if ((m = take(/^ADDRTYPE match((?: (?:!\s?)?(?:src|dst)-type \S+| limit-(?:in|out))+)/))) {
			out.push('-m', 'addrtype');
			for (const part of m[1]!.trim().matchAll(/(!\s?)?(src|dst)-type (\S+)|limit-(in|out)/g)) {
				if (part[4]) out.push(`--limit-iface-${part[4]}`);
				else out.push(...(part[1] ? ['!'] : []), `--${part[2]}-type`, part[3]!);
			}
		} else if (target === 'REJECT' && (m = take(/^reject-with (\S+)/))) out.push('--reject-with', m[1]!);
		else if (target === 'LOG' && (m = take(/^LOG flags (\d+) level (\d+)(?: prefix "((?:[^"\\]|\\.)*)")?/))) {
			if (m[2] !== '4') out.push('--log-level', m[2]!);
			if (m[3] !== undefined) out.push('--log-prefix', quote(m[3]));
		} else if ((target === 'DNAT' || target === 'SNAT') && (m = take(/^to:(\S+)/))) out.push(target === 'DNAT' ? '--to-destination' : '--to-source', m[1]!);
		else if ((target === 'MASQUERADE' || target === 'REDIRECT') && (m = take(/^(?:masq|redir) ports:? (\S+)/))) out.push('--to-ports', m[1]!);
		else if (target === 'MARK' && (m = take(/^MARK (xset|set|and|or|xor) (\S+)/))) {
			const [value, mask] = m[2]!.split('/');
			out.push(m[1] === 'xset' || m[1] === 'set' ? '--set-xmark' : `--${m[1]}-mark`, m[1] === 'set' && mask === undefined ? `${value}/0xffffffff` : m[2]!);
		} else if (target === 'CONNMARK' && (m = take(/^CONNMARK (?:xset|set) (\S+)/))) out.push('--set-xmark', m[1]!);
		else return { options: out, unknown: rest };
	}
	void proto;
	return { options: out };
}

/** `iptables -t TABLE -nvL` (any number of tables, concatenated) → iptables-save text. */
export function listingToSave(listings: { table: string; text: string; file: string }[], family: 4 | 6): { save: string; warnings: string[] } {
	const warnings: string[] = [];
	const lines: string[] = [];
	for (const { table, text, file } of listings) {
		const chains: string[] = [];
		const rules: string[] = [];
		text.split('\n').forEach((line, i) => {
			const chain = /^Chain (\S+) \((?:policy (\S+) (\d+) packets, (\d+) bytes|(\d+) references)\)/.exec(line);
			if (chain) {
				chains.push(`:${chain[1]} ${chain[2] ?? '-'} [${chain[3] ?? 0}:${chain[4] ?? 0}]`);
				return;
			}
			const words = line.trim().split(/\s+/);
			if (!line.trim() || words[0] === 'pkts' || words[0] === 'num') return;
			const current = chains.at(-1)?.split(' ')[0]!.slice(1);
			if (!current) return;
			// pkts bytes [target] prot opt in out source destination [extra]
			const optAt = words.findIndex((w, k) => k >= 3 && k <= 4 && /^(--|-f|!f)$/.test(w));
			if (optAt < 0) {
				warnings.push(`${file}:${i + 1}: could not read this rule's columns; left out`);
				return;
			}
			const target = optAt === 4 ? words[2]! : '';
			const [pkts, bytes] = [words[0]!, words[1]!].map((n) => n.replace(/[KMGT]$/, (s) => ({ K: '000', M: '000000', G: '000000000', T: '000000000000' })[s]!));
			const prot = words[optAt - 1]!;
			const protName = PROTOCOLS[prot.replace(/^!/, '')] ?? prot.replace(/^!/, '');
			const opt = words[optAt]!;
			const [inIf, outIf, src, dst] = words.slice(optAt + 1, optAt + 5) as [string, string, string, string];
			if (dst === undefined) {
				warnings.push(`${file}:${i + 1}: could not read this rule's columns; left out`);
				return;
			}
			const extraAt = line.indexOf(dst, line.indexOf(src) + src.length) + dst.length;
			const extra = line.slice(extraAt).trim();
			const parts: string[] = [];
			parts.push(...address(src, '-s', family), ...address(dst, '-d', family), ...iface(inIf, '-i'), ...iface(outIf, '-o'));
			if (protName !== 'all') parts.push(...(prot.startsWith('!') ? ['!'] : []), '-p', protName);
			if (opt === '-f') parts.push('-f');
			else if (opt === '!f') parts.push('!', '-f');
			const converted = extraToOptions(extra, target, protName);
			if (converted.unknown !== undefined) {
				warnings.push(`${file}:${i + 1}: could not turn ${quoted(converted.unknown)} back into iptables options; this rule of ${table} ${current} is left out`);
				return;
			}
			const targetOptions = converted.options;
			// Matches before the target; the target's own options after -j.
			const targetStart = targetOptions.findIndex((w) => ['--reject-with', '--log-level', '--log-prefix', '--to-destination', '--to-source', '--to-ports', '--set-xmark', '--and-mark', '--or-mark', '--xor-mark'].includes(w));
			const matchPart = targetStart < 0 ? targetOptions : targetOptions.slice(0, targetStart);
			const targetPart = targetStart < 0 ? [] : targetOptions.slice(targetStart);
			rules.push(`[${pkts}:${bytes}] -A ${current}${[...parts, ...matchPart].map((w) => ` ${w}`).join('')}${target ? ` -j ${target}${targetPart.map((w) => ` ${w}`).join('')}` : ''}`);
		});
		if (chains.length === 0) continue;
		lines.push(`*${table}`, ...chains, ...rules, 'COMMIT');
	}
	void family;
	return { save: lines.length ? `${lines.join('\n')}\n` : '', warnings };
}

/** `nft list ruleset` text → the few facts netsleuth reads from `nft -j list ruleset`: tables and chains. */
function nftTextToJson(text: string): string {
	const items: unknown[] = [{ metainfo: { json_schema_version: 1 } }];
	let table: { family: string; name: string } | undefined;
	for (const line of text.split('\n')) {
		const t = /^table (\S+) (\S+) \{/.exec(line);
		if (t) {
			table = { family: t[1]!, name: t[2]! };
			items.push({ table: { ...table } });
			continue;
		}
		const c = /^\s+chain (\S+) \{/.exec(line);
		if (c && table) items.push({ chain: { family: table.family, table: table.name, name: c[1]! } });
	}
	return JSON.stringify({ nftables: items });
}

// ── the directory ──────────────────────────────────────────────────────────────────────────────────

export function loadSosDirectory(dir: string): LoadedSnapshot {
	const commands = join(dir, 'sos_commands');
	if (!existsSync(commands)) {
		throw new InputError(`${dir}: not a sosreport directory: it has no sos_commands/ folder (give the top folder of the extracted sosreport, or a snapshot file)`);
	}
	const raw: RawHostState = {};
	const origins: Origins = {};
	const warnings: string[] = [];
	const net = (names: string[]) => names.map((n) => `sos_commands/networking/${n}`);
	const convert = (key: keyof RawHostState, candidates: string[], fromText: (text: string) => Converted) => {
		const path = firstFile(dir, candidates);
		if (!path) return;
		const text = read(path);
		if (looksJson(text)) {
			(raw as Record<string, string>)[key] = text;
		} else {
			const { json, skipped } = fromText(text);
			(raw as Record<string, string>)[key] = JSON.stringify(json);
			if (skipped.length) warnings.push(`${path}: ${skipped.length} line${skipped.length === 1 ? '' : 's'} not understood (first: line ${skipped[0]}); skipped`);
		}
		origins[key] = path;
	};
	convert('routes', net(['ip_route_show_table_all', 'ip_-4_route_show_table_all', 'ip_route']), routesFromText);
	convert('routes6', net(['ip_-6_route_show_table_all']), routesFromText);
	convert('ipRules', net(['ip_-4_rule_list', 'ip_rule_list', 'ip_rule', 'ip_-4_rule']), rulesFromText);
	convert('ipRules6', net(['ip_-6_rule_list', 'ip_-6_rule']), rulesFromText);
	convert('addresses', net(['ip_-d_address', 'ip_-d_address_show', 'ip_address', 'ip_addr', 'ip_a']), linksFromText);
	convert('links', net(['ip_-s_-d_link', 'ip_-d_link', 'ip_-s_link', 'ip_link']), linksFromText);
	convert('bridgeLinks', net(['bridge_-s_-s_-d_link_show', 'bridge_-d_link_show', 'bridge_link_show']), bridgeLinksFromText);
	convert('fdb', net(['bridge_-s_-s_-d_-t_fdb_show', 'bridge_-d_fdb_show', 'bridge_fdb_show']), fdbFromText);
	convert('bridgeVlans', net(['bridge_-d_vlan_show', 'bridge_vlan_show']), bridgeVlansFromText);
	// ip -s -d link has no addresses and ip -d address has every link: keep the richer one for links.
	if (raw.addresses !== undefined && raw.links !== undefined) {
		try {
			const fromAddr = JSON.parse(raw.addresses) as unknown[];
			const fromLink = JSON.parse(raw.links) as unknown[];
			if (fromAddr.length >= fromLink.length && JSON.stringify(fromAddr).includes('"linkinfo"')) delete raw.links;
		} catch {
			// validated when parsed
		}
	}
	for (const [key, tool] of [['iptables', 'iptables'], ['ip6tables', 'ip6tables']] as const) {
		const family = key === 'iptables' ? 4 : 6;
		const save = firstFile(dir, [`sos_commands/firewall_tables/${tool}-save`, `sos_commands/networking/${tool}-save`, `sos_commands/firewall_tables/${tool}-save_-c`]);
		if (save) {
			raw[key] = read(save);
			origins[key] = save;
			continue;
		}
		const listings: { table: string; text: string; file: string }[] = [];
		for (const table of TABLES) {
			const path = firstFile(dir, [`sos_commands/firewall_tables/${tool}_-t_${table}_-nvL`, `sos_commands/networking/${tool}_-t_${table}_-nvL`]);
			if (path) listings.push({ table, text: read(path), file: path });
		}
		if (!listings.some((l) => l.table === 'filter')) {
			const path = firstFile(dir, [`sos_commands/firewall_tables/${tool}_-vnxL`, `sos_commands/networking/${tool}_-vnxL`]);
			if (path) listings.push({ table: 'filter', text: read(path), file: path });
		}
		if (listings.length === 0) continue;
		const { save: text, warnings: lost } = listingToSave(listings, family);
		raw[key] = text;
		origins[key] = `${listings[0]!.file} (converted from iptables -L)`;
		warnings.push(...lost);
		warnings.push(`${dir}: the ${tool} rules are rebuilt from sos's "${tool} -nvL" listings (sos does not store ${tool}-save): negations and matches the listing abbreviates may be lost`);
	}
	const nft = firstFile(dir, ['sos_commands/firewall_tables/nft_list_ruleset', 'sos_commands/firewall_tables/nft_-a_list_ruleset', 'sos_commands/firewalld/nft_list_ruleset']);
	if (nft) {
		const text = read(nft);
		raw.nft = looksJson(text) ? text : nftTextToJson(text);
		origins.nft = nft;
	}
	const sysctl = firstFile(dir, ['sos_commands/kernel/sysctl_-a']);
	if (sysctl) {
		raw.sysctl = read(sysctl);
		origins.sysctl = sysctl;
	}
	const ipset = firstFile(dir, ['sos_commands/firewall_tables/ipset_save', 'sos_commands/networking/ipset_save']);
	if (ipset) {
		raw.ipset = read(ipset);
		origins.ipset = ipset;
	}
	const hostFile = firstFile(dir, ['hostname', 'sos_commands/host/hostname', 'sos_commands/general/hostname', 'etc/hostname']);
	const hostname = hostFile ? read(hostFile).trim().split('\n')[0] : undefined;
	const unameFile = firstFile(dir, ['uname', 'sos_commands/kernel/uname_-a']);
	const kernel = unameFile ? read(unameFile).trim().split(/\s+/)[2] : undefined;
	raw.hostname = hostname || dir;
	if (Object.keys(origins).length === 0) {
		const seen = readdirSync(commands).slice(0, 8).join(', ');
		throw new InputError(`${dir}: no network state in this sosreport (looked in sos_commands/networking and firewall_tables; found: ${seen || 'nothing'})`);
	}
	return { raw, origins, meta: { ...(hostname ? { hostname } : {}), ...(kernel ? { kernel } : {}) }, warnings };
}
