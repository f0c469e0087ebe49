import { prng } from '../../../bench/kube-gen.js';
import type { DifferentialCase } from './differential.js';
import type { KernelPacket } from './kernel-trace.js';

/** A seeded generator (mulberry32, bench/kube-gen.ts), so a failing case can be rebuilt from its seed. */
export const random = prng;

const PORTS = [22, 53, 80, 443, 8080];
const CLIENT_MAC = '02:00:00:00:01:71';

/** The harness's default topology, per family: client — host (eth0, eth1) — server. */
const ADDRESSES = {
	4: { client: '10.2.67.113', host: '10.2.67.1', hostOut: '10.9.0.1', server: '10.9.0.2', clientNet: '10.2.67.0/24', serverNet: '10.9.0.0/24', other: ['10.0.0.0/8', '192.168.0.0/16', '172.16.0.0/12'], icmp: 'icmp' },
	6: { client: 'fd00:1::113', host: 'fd00:1::1', hostOut: 'fd00:9::1', server: 'fd00:9::2', clientNet: 'fd00:1::/64', serverNet: 'fd00:9::/64', other: ['fd00::/16', '2001:db8::/32', 'fe80::/10'], icmp: 'ipv6-icmp' },
} as const;

type Table = 'raw' | 'mangle' | 'nat' | 'filter';
interface Where {
	table: Table;
	/** A built-in chain's hook, or USER for a user chain (which may be called from any hook). */
	hook: string;
}

const CRITERIA = ['src', 'dst', 'proto', 'in', 'out', 'mac', 'mark', 'state', 'multiport', 'comment', 'iprange', 'length', 'ttl', 'addrtype', 'pkttype', 'tos', 'dscp', 'connmark', 'limit', 'hashlimit', 'recent', 'connlimit'] as const;

class Generator {
	private names = 0;

	constructor(
		readonly next: () => number,
		readonly family: 4 | 6,
	) {}

	pick<T>(items: readonly T[]): T {
		return items[Math.floor(this.next() * items.length)]!;
	}

	chance(p: number): boolean {
		return this.next() < p;
	}

	not(): string {
		return this.chance(0.2) ? '! ' : '';
	}

	/** Criteria netsleuth evaluates exactly, or whose stated assumption is what the kernel does for a first packet. */
	criteria(where: Where): string[] {
		const a = ADDRESSES[this.family];
		const v4 = this.family === 4;
		const parts: string[] = [];
		const count = Math.floor(this.next() * 3.5);
		let proto: string | undefined;
		const used = new Set<string>();
		const inputSide = ['PREROUTING', 'INPUT', 'FORWARD'].includes(where.hook);
		for (let i = 0; i < count; i++) {
			const kind = this.pick(CRITERIA);
			if (used.has(kind)) continue;
			used.add(kind);
			switch (kind) {
				case 'src': parts.push(`${this.not()}-s ${this.pick([a.client, a.clientNet, ...a.other])}`); break;
				case 'dst': parts.push(`${this.not()}-d ${this.pick([a.host, a.server, a.serverNet, a.clientNet, a.other[0]])}`); break;
				case 'proto':
					if (proto) break;
					proto = this.pick(['tcp', 'udp', a.icmp]);
					parts.push(`-p ${proto}`);
					if (proto === a.icmp) {
						if (this.chance(0.6)) parts.push(v4 ? `-m icmp ${this.not()}--icmp-type ${this.pick(['8', 'echo-request', '0', 'destination-unreachable', 'any'])}` : `-m icmp6 ${this.not()}--icmpv6-type ${this.pick(['128', 'echo-request', '129', 'destination-unreachable'])}`);
					} else {
						const opts: string[] = [];
						if (this.chance(0.6)) opts.push(`${this.not()}--dport ${this.pick([...PORTS.map(String), '1:1024', '80:443'])}`);
						if (this.chance(0.3)) opts.push(`${this.not()}--sport ${this.pick(['40000', '1024:65535', '1:1023'])}`);
						if (proto === 'tcp' && this.chance(0.3)) opts.push(this.pick([`${this.not()}--syn`, '--tcp-flags SYN,ACK SYN', '--tcp-flags ALL ACK', '! --tcp-flags FIN,SYN,RST,ACK SYN']));
						if (opts.length) parts.push(`-m ${proto} ${opts.join(' ')}`);
					}
					break;
				case 'in':
					if (!inputSide) break;
					parts.push(`${this.not()}-i ${this.pick(['eth0', 'eth1', 'eth+', 'lo'])}`);
					break;
				case 'out':
					if (!['FORWARD', 'OUTPUT', 'POSTROUTING'].includes(where.hook)) break;
					parts.push(`${this.not()}-o ${this.pick(['eth0', 'eth1', 'eth+'])}`);
					break;
				case 'mac':
					if (!inputSide) break;
					parts.push(`-m mac ${this.not()}--mac-source ${this.pick([CLIENT_MAC, '02:00:00:00:00:99'])}`);
					break;
				case 'mark': parts.push(`-m mark ${this.not()}--mark ${this.pick(['0x1', '0x2', '0x0', '0x1/0x1', '0x10/0xf0'])}`); break;
				case 'state': parts.push(this.chance(0.5) ? `-m conntrack ${this.not()}--ctstate ${this.pick(['NEW', 'ESTABLISHED,RELATED', 'NEW,ESTABLISHED', 'INVALID', 'DNAT', 'UNTRACKED'])}` : `-m state ${this.not()}--state ${this.pick(['NEW', 'ESTABLISHED', 'RELATED,ESTABLISHED', 'UNTRACKED'])}`); break;
				case 'multiport':
					if (proto === a.icmp) break;
					if (!proto) {
						proto = this.pick(['tcp', 'udp']);
						parts.push(`-p ${proto}`);
					}
					parts.push(`-m multiport ${this.not()}--${this.pick(['dports', 'sports', 'ports'])} ${this.pick(['22,80', '53,443,8080', '1:100,8080', '40000'])}`);
					break;
				case 'comment': parts.push(`-m comment --comment "${this.pick(['allow web', 'k8s \\"svc\\"', 'x'])}"`); break;
				case 'iprange': parts.push(v4
					? `-m iprange ${this.not()}--${this.pick(['src-range 10.2.67.100-10.2.67.120', 'dst-range 10.9.0.1-10.9.0.5', 'dst-range 10.2.67.1-10.2.67.1'])}`
					: `-m iprange ${this.not()}--${this.pick(['src-range fd00:1::100-fd00:1::120', 'dst-range fd00:9::1-fd00:9::5'])}`); break;
				case 'length': parts.push(`-m length ${this.not()}--length ${this.pick(['0:60', '40', '28:48', '61:1500', '84'])}`); break;
				case 'ttl':
					if (v4) parts.push(`-m ttl ${this.pick(['--ttl-eq 64', '--ttl-eq 63', '--ttl-lt 64', '--ttl-gt 63', '! --ttl-eq 64'])}`);
					else parts.push(`-m hl ${this.pick(['--hl-eq 64', '--hl-eq 63', '--hl-lt 64', '--hl-gt 63', '! --hl-eq 64'])}`);
					break;
				case 'addrtype': parts.push(`-m addrtype ${this.not()}--${this.pick(['dst', 'src'])}-type ${this.pick(v4 ? ['LOCAL', 'UNICAST', 'BROADCAST', 'MULTICAST'] : ['LOCAL'])}`); break;
				case 'pkttype':
					if (!inputSide) break;
					parts.push(`-m pkttype ${this.not()}--pkt-type ${this.pick(['unicast', 'broadcast', 'multicast'])}`);
					break;
				case 'tos': if (v4) parts.push(`-m tos ${this.not()}--tos ${this.pick(['0x00', '0x10', '0x10/0x3f'])}`); break;
				case 'dscp': parts.push(`-m dscp ${this.not()}--dscp ${this.pick(['0x00', '0x0a'])}`); break;
				case 'connmark': parts.push(`-m connmark ${this.not()}--mark ${this.pick(['0x0', '0x1', '0x1/0x1'])}`); break;
				// Rates generous enough that the namespaces' own background (ND, MLD) cannot use them up first.
				case 'limit': parts.push(`-m limit --limit ${this.pick(['50/sec', '100/min'])} --limit-burst ${this.pick(['50', '20'])}`); break;
				case 'hashlimit': parts.push(`-m hashlimit --hashlimit-upto ${this.pick(['50/sec', '100/min'])} --hashlimit-burst 20 --hashlimit-mode ${this.pick(['srcip', 'dstip,dstport'])} --hashlimit-name h${this.names++}`); break;
				case 'recent': parts.push(`-m recent ${this.not()}--${this.pick(['rcheck', 'update'])} --seconds 60 --name r${this.names++}`); break;
				case 'connlimit':
					if (where.table === 'raw') break;
					parts.push(`-m connlimit --connlimit-${this.pick(['upto 5', 'above 5', 'upto 0'])} --connlimit-mask ${v4 ? 32 : 128}`);
					break;
			}
		}
		return parts;
	}

	target(where: Where, userChains: readonly string[], proto: string | undefined): string {
		const a = ADDRESSES[this.family];
		const v4 = this.family === 4;
		const options: string[] = ['-j ACCEPT', '-j RETURN', '-j LOG --log-prefix "ns: "', `-j NFLOG --nflog-group ${this.pick(['1', '2'])}`, `-j CONNMARK ${this.pick(['--set-mark 0x1', '--save-mark', '--restore-mark', '--set-xmark 0x2/0x2'])}`];
		if (where.table !== 'nat') options.push('-j DROP');
		if (where.table === 'filter') options.push('-j REJECT', `-j REJECT --reject-with ${v4 ? 'icmp-host-prohibited' : 'icmp6-adm-prohibited'}`, '-j DROP');
		if (where.table === 'filter' && proto === 'tcp') options.push('-j REJECT --reject-with tcp-reset');
		if (where.table === 'mangle' || where.table === 'raw') options.push(`-j MARK --set-mark ${this.pick(['0x1', '0x2', '0x10'])}`, '-j MARK --set-xmark 0x1/0x1', '-j MARK --or-mark 0x2');
		if (where.table === 'mangle') options.push(v4 ? `-j TTL --ttl-${this.pick(['dec 1', 'set 63', 'inc 1'])}` : `-j HL --hl-${this.pick(['dec 1', 'set 63'])}`, `-j DSCP --set-dscp ${this.pick(['0x0a', '0x00'])}`, '-j CHECKSUM --checksum-fill');
		if (where.table === 'mangle' && v4) options.push(`-j TOS --set-tos ${this.pick(['0x10', '0x00'])}`);
		if (where.table === 'raw') options.push('-j CT --notrack', '-j NOTRACK', '-j CT --zone 5');
		const port = proto === 'tcp' || proto === 'udp';
		if (where.table === 'nat' && where.hook === 'PREROUTING') {
			options.push(`-j DNAT --to-destination ${a.server}`, '-j REDIRECT', `-j NETMAP --to ${a.serverNet}`);
			if (port) options.push(`-j DNAT --to-destination ${v4 ? `${a.server}:80` : `[${a.server}]:80`}`, '-j REDIRECT --to-ports 8080');
		}
		if (where.table === 'nat' && where.hook === 'POSTROUTING') options.push('-j MASQUERADE', `-j SNAT --to-source ${a.hostOut}`);
		for (const chain of userChains) options.push(`-j ${chain}`, `-g ${chain}`);
		return this.pick(options);
	}
}

const HOOKS: Record<Table, string[]> = {
	raw: ['PREROUTING', 'OUTPUT'],
	mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
	nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
	filter: ['INPUT', 'FORWARD', 'OUTPUT'],
};

function table(g: Generator, name: Table): string {
	const lines = [`*${name}`];
	const builtins = HOOKS[name].filter(() => g.chance(0.8));
	for (const hook of builtins) lines.push(`:${hook} ${name === 'filter' && g.chance(0.3) ? 'DROP' : 'ACCEPT'} [0:0]`);
	const users = name === 'raw' ? [] : ['U1', 'U2', 'U3'].slice(0, Math.floor(g.pick([0, 1, 2, 3])));
	for (const user of users) lines.push(`:${user} - [0:0]`);
	const rule = (chain: string, where: Where, callable: string[]) => {
		const criteria = g.criteria(where);
		const proto = criteria.find((c) => c.startsWith('-p '))?.slice(3);
		const target = g.chance(0.1) ? '' : ` ${g.target(where, callable, proto)}`;
		lines.push(`-A ${chain}${criteria.length ? ' ' : ''}${criteria.join(' ')}${target}`);
	};
	for (const hook of builtins) {
		const count = Math.floor(g.next() * 4);
		for (let i = 0; i < count; i++) rule(hook, { table: name, hook }, users);
	}
	users.forEach((user, index) => {
		const count = 1 + Math.floor(g.next() * 3);
		// A user chain may call only later user chains (no loops), and uses only what every hook allows.
		for (let i = 0; i < count; i++) rule(user, { table: name, hook: 'USER' }, users.slice(index + 1));
	});
	lines.push('COMMIT');
	return lines.join('\n');
}

/** A random ruleset over raw, mangle, nat and filter, and a random first packet, from one seed (a quarter IPv6). */
export function randomCase(seed: number): DifferentialCase {
	const next = random(seed);
	const family = next() < 0.25 ? 6 : 4;
	const g = new Generator(next, family);
	const a = ADDRESSES[family];
	const tables = (['raw', 'mangle', 'nat', 'filter'] as const).filter((t) => t === 'filter' || g.chance(0.6));
	const rules = `${tables.map((t) => table(g, t)).join('\n')}\n`;
	const proto = g.pick(['tcp', 'tcp', 'udp', family === 4 ? 'icmp' : 'icmpv6'] as const);
	const local = g.chance(0.15);
	const dst = local ? g.pick([a.server, a.client, a.host, a.hostOut]) : g.pick([a.host, a.server, a.host]);
	const packet: KernelPacket = { family, proto, src: local ? (dst === a.server || dst === a.hostOut ? a.hostOut : a.host) : a.client, dst };
	if (proto === 'tcp' || proto === 'udp') {
		packet.sport = g.pick([40000, 40000, 1000]);
		packet.dport = g.pick(PORTS);
	} else packet.icmpType = family === 4 ? 8 : 128;
	if (g.chance(0.15)) packet.ttl = g.pick([1, 2, 63]);
	if (local) packet.local = true;
	return {
		name: `seed ${seed}`,
		...(family === 4 ? { rules } : { rules6: rules }),
		packet,
		listen: PORTS.flatMap((port) => (['host', 'server', 'client'] as const).flatMap((ns) => (['tcp', 'udp'] as const).map((p) => ({ ns, proto: p, port })))),
	};
}
