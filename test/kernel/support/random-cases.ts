import type { DifferentialCase } from './differential.js';
import type { KernelPacket } from './kernel-trace.js';

/** mulberry32: a small seeded generator, so a failing case can be rebuilt from its seed. */
export function random(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const PORTS = [22, 53, 80, 443, 8080];
const HOST = '10.2.67.1';
const SERVER = '10.9.0.2';
const CLIENT = '10.2.67.113';
const CLIENT_MAC = '02:00:00:00:01:71';

type Table = 'raw' | 'mangle' | 'nat' | 'filter';
interface Where {
	table: Table;
	hook: string;
}

class Generator {
	constructor(readonly next: () => number) {}

	pick<T>(items: readonly T[]): T {
		return items[Math.floor(this.next() * items.length)]!;
	}

	chance(p: number): boolean {
		return this.next() < p;
	}

	not(): string {
		return this.chance(0.2) ? '! ' : '';
	}

	/** Criteria that netsleuth evaluates exactly, for a packet of this hook. */
	criteria(where: Where): string[] {
		const parts: string[] = [];
		const count = Math.floor(this.next() * 3);
		let proto: string | undefined;
		const used = new Set<string>();
		for (let i = 0; i < count; i++) {
			const kind = this.pick(['src', 'dst', 'proto', 'in', 'out', 'mac', 'mark', 'state', 'multiport', 'comment'] as const);
			if (used.has(kind)) continue;
			used.add(kind);
			switch (kind) {
				case 'src': parts.push(`${this.not()}-s ${this.pick([CLIENT, '10.2.67.0/24', '10.0.0.0/8', '192.168.0.0/16', '10.2.67.113/32'])}`); break;
				case 'dst': parts.push(`${this.not()}-d ${this.pick([HOST, SERVER, '10.9.0.0/24', '10.2.67.0/24', '172.16.0.0/12'])}`); break;
				case 'proto':
					if (proto) break;
					proto = this.pick(['tcp', 'udp', 'icmp']);
					parts.push(`-p ${proto}`);
					if (proto === 'icmp') {
						if (this.chance(0.6)) parts.push(`-m icmp ${this.not()}--icmp-type ${this.pick(['8', 'echo-request', '0', 'destination-unreachable', 'any'])}`);
					} else {
						const opts: string[] = [];
						if (this.chance(0.6)) opts.push(`${this.not()}--dport ${this.pick([...PORTS.map(String), '1:1024', '80:443'])}`);
						if (this.chance(0.3)) opts.push(`${this.not()}--sport ${this.pick(['40000', '1024:65535', '1:1023'])}`);
						if (proto === 'tcp' && this.chance(0.3)) opts.push(this.pick([`${this.not()}--syn`, '--tcp-flags SYN,ACK SYN', '--tcp-flags ALL ACK', '! --tcp-flags FIN,SYN,RST,ACK SYN']));
						if (opts.length) parts.push(`-m ${proto} ${opts.join(' ')}`);
					}
					break;
				case 'in':
					if (!['PREROUTING', 'INPUT', 'FORWARD'].includes(where.hook)) break;
					parts.push(`${this.not()}-i ${this.pick(['eth0', 'eth1', 'eth+', 'lo'])}`);
					break;
				case 'out':
					if (!['FORWARD', 'OUTPUT', 'POSTROUTING'].includes(where.hook)) break;
					parts.push(`${this.not()}-o ${this.pick(['eth0', 'eth1', 'eth+'])}`);
					break;
				case 'mac':
					if (where.hook !== 'PREROUTING' && where.hook !== 'INPUT' && where.hook !== 'FORWARD') break;
					parts.push(`-m mac ${this.not()}--mac-source ${this.pick([CLIENT_MAC, '02:00:00:00:00:99'])}`);
					break;
				case 'mark': parts.push(`-m mark ${this.not()}--mark ${this.pick(['0x1', '0x2', '0x0', '0x1/0x1', '0x10/0xf0'])}`); break;
				case 'state': parts.push(this.chance(0.5) ? `-m conntrack ${this.not()}--ctstate ${this.pick(['NEW', 'ESTABLISHED,RELATED', 'NEW,ESTABLISHED', 'INVALID', 'DNAT'])}` : `-m state ${this.not()}--state ${this.pick(['NEW', 'ESTABLISHED', 'RELATED,ESTABLISHED'])}`); break;
				case 'multiport':
					if (proto === 'icmp') break;
					if (!proto) {
						proto = this.pick(['tcp', 'udp']);
						parts.push(`-p ${proto}`);
					}
					parts.push(`-m multiport ${this.not()}--${this.pick(['dports', 'sports', 'ports'])} ${this.pick(['22,80', '53,443,8080', '1:100,8080', '40000'])}`);
					break;
				case 'comment': parts.push(`-m comment --comment "${this.pick(['allow web', 'k8s \\"svc\\"', 'x'])}"`); break;
			}
		}
		return parts;
	}

	target(where: Where, userChains: readonly string[], proto: string | undefined): string {
		const options: string[] = ['-j ACCEPT', '-j RETURN', '-j LOG --log-prefix "ns: "'];
		if (where.table !== 'nat') options.push('-j DROP');
		if (where.table === 'filter') options.push('-j REJECT', '-j REJECT --reject-with icmp-host-prohibited', '-j DROP');
		if (where.table === 'filter' && proto === 'tcp') options.push('-j REJECT --reject-with tcp-reset');
		if (where.table === 'mangle' || where.table === 'raw') options.push(`-j MARK --set-mark ${this.pick(['0x1', '0x2', '0x10'])}`, `-j MARK --set-xmark 0x1/0x1`, '-j MARK --or-mark 0x2');
		if (where.table === 'nat' && where.hook === 'PREROUTING') options.push(`-j DNAT --to-destination ${SERVER}`, '-j REDIRECT');
		if (where.table === 'nat' && where.hook === 'PREROUTING' && proto && proto !== 'icmp') options.push(`-j DNAT --to-destination ${SERVER}:80`, '-j REDIRECT --to-ports 8080');
		if (where.table === 'nat' && where.hook === 'POSTROUTING') options.push('-j MASQUERADE', '-j SNAT --to-source 10.9.0.1');
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
	// NAT targets are only valid where their hook allows: user chains of nat get no NAT target (they may be
	// called from any nat hook).
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
		// A user chain may call only later user chains (no loops), and uses only what every hook allows (no -i, -o, mac).
		for (let i = 0; i < count; i++) rule(user, { table: name, hook: 'USER' }, users.slice(index + 1));
	});
	lines.push('COMMIT');
	return lines.join('\n');
}

/** A random ruleset over raw, mangle, nat and filter, and a random first packet, from one seed. */
export function randomCase(seed: number): DifferentialCase {
	const g = new Generator(random(seed));
	const tables = (['raw', 'mangle', 'nat', 'filter'] as const).filter((t) => t === 'filter' || g.chance(0.6));
	const rules = `${tables.map((t) => table(g, t)).join('\n')}\n`;
	const proto = g.pick(['tcp', 'tcp', 'udp', 'icmp'] as const);
	const local = g.chance(0.15);
	const dst = local ? g.pick([SERVER, '10.2.67.113']) : g.pick([HOST, SERVER, HOST]);
	const packet: KernelPacket = { family: 4, proto, src: local ? (dst === SERVER ? '10.9.0.1' : HOST) : CLIENT, dst };
	if (proto !== 'icmp') {
		packet.sport = g.pick([40000, 40000, 1000]);
		packet.dport = g.pick(PORTS);
	} else packet.icmpType = 8;
	if (local) packet.local = true;
	return {
		name: `seed ${seed}`,
		rules,
		packet,
		listen: PORTS.flatMap((port) => (['host', 'server', 'client'] as const).flatMap((ns) => (['tcp', 'udp'] as const).map((p) => ({ ns, proto: p, port })))),
	};
}
