import type { Packet } from '../../source/packet/packet.js';
import { packet } from './packets.js';

/**
 * Random rulesets and packets from a seeded generator (bench/kube-gen.ts's prng): the chain index and the
 * decision memo are checked against the plain walk on them. `extras` adds what the index test does not
 * need: raw NOTRACK, source NAT, and matches that read the source port, the length, the payload, the
 * connection's tuples, or keep state across packets.
 */

export type Random = () => number;

export function pick<T>(random: Random, list: readonly T[]): T {
	return list[Math.floor(random() * list.length)]!;
}

/** A few addresses that rules and packets share, so that buckets collide and packets hit. */
export function pools(family: 4 | 6): { hosts: string[]; nets: string[]; sources: string[] } {
	if (family === 4) {
		return {
			hosts: Array.from({ length: 12 }, (_, i) => `10.96.0.${i + 1}`),
			nets: ['10.96.0.0/24', '10.96.0.0/30', '10.0.0.0/8', '192.168.1.0/24'],
			sources: ['192.168.1.7', '192.168.1.200', '10.244.1.5', '172.16.0.9'],
		};
	}
	return {
		hosts: Array.from({ length: 12 }, (_, i) => `fd00:96::${(i + 1).toString(16)}`),
		nets: ['fd00:96::/120', 'fd00:96::/126', 'fd00::/16', 'fd00:1::/64'],
		sources: ['fd00:1::7', 'fd00:1::c8', 'fd00:244::5', 'fd00:2::9'],
	};
}

/**
 * Matches that read more than every decision's fields (the decision memo's key, source/trace/decision-key.ts),
 * or keep state across packets.
 */
function extraMatches(family: 4 | 6, proto: 'tcp' | 'udp' | undefined): string[] {
	return [
		'-m length --length 100:400', '-m limit --limit 5/second', '-m statistic --mode nth --every 3 --packet 1',
		'-m string --string abc --algo bm', `-m conntrack --ctorigdst ${family === 4 ? '10.96.0.1' : 'fd00:96::1'}`,
		'-m conntrack --ctstate DNAT', '-m conntrack --ctstate NEW,ESTABLISHED', '-m connmark --mark 0x1/0x1',
		`-m ${family === 4 ? 'ttl --ttl-gt 60' : 'hl --hl-gt 60'}`,
		...(proto ? [`-m ${proto} --sport 30000:65535`, `-m multiport --sports 40000:50000`] : []),
		...(proto === 'tcp' ? ['-m tcp --tcp-flags SYN,ACK SYN'] : []),
	];
}

/**
 * One random ruleset: a nat and a filter table whose big chains (40–120 rules) mix rules the index takes
 * (`-d ADDRESS`) with every kind it must not step over (networks, negations, `-s` first, no `-d`), user
 * chains reached by -j and -g, RETURN, marks, random branches, DNAT that changes the destination mid-walk.
 */
export function randomRuleset(random: Random, family: 4 | 6, extras = false): string {
	const { hosts, nets, sources } = pools(family);
	const prefix = family === 4 ? '/32' : '/128';
	const users = ['SVC-A', 'SVC-B', 'SVC-C', 'MARKS'];
	const criteria = (): string => {
		const parts: string[] = [];
		const r = random();
		if (r < 0.55) parts.push(`-d ${pick(random, hosts)}${random() < 0.5 ? prefix : ''}`);
		else if (r < 0.62) parts.push(`! -d ${pick(random, hosts)}${prefix}`);
		else if (r < 0.7) parts.push(`-d ${pick(random, nets)}`);
		else if (r < 0.8) parts.push(`-s ${pick(random, sources)}${prefix}`, `-d ${pick(random, hosts)}${prefix}`);
		else if (r < 0.85) parts.push(`-s ${pick(random, nets)}`);
		const proto = random();
		if (proto < 0.45) parts.push('-p tcp', ...(random() < 0.8 ? [`-m tcp --dport ${pick(random, [22, 80, 443, 8080])}`] : []));
		else if (proto < 0.65) parts.push('-p udp', ...(random() < 0.7 ? [`-m udp --dport ${pick(random, [53, 123])}`] : []));
		else if (proto < 0.7) parts.push(family === 4 ? '-p icmp' : '-p ipv6-icmp');
		if (random() < 0.15) parts.push(`-i ${pick(random, ['eth0', 'eth1', 'eth+'])}`);
		if (random() < 0.3) parts.push(`-m comment --comment "rule ${Math.floor(random() * 1000)}"`);
		if (random() < 0.1) parts.push(`-m mark --mark 0x${pick(random, [1, 2, 4])}/0x7`);
		if (random() < 0.08) parts.push(`-m statistic --mode random --probability 0.${Math.floor(random() * 9) + 1}0000000000`);
		if (extras && random() < 0.25) parts.push(pick(random, extraMatches(family, proto < 0.45 ? 'tcp' : proto < 0.65 ? 'udp' : undefined)));
		return parts.join(' ');
	};
	const natTarget = (chain: string): string => {
		const r = random();
		if (r < 0.3) return `-j ${pick(random, users.filter((u) => u !== chain))}`;
		if (r < 0.38) return `-g ${pick(random, users.filter((u) => u !== chain))}`;
		if (r < 0.5) return `-j MARK --set-xmark 0x${pick(random, [1, 2, 4])}/0x0`;
		if (r < 0.62) return '-j RETURN';
		if (r < 0.7) return `-j DNAT --to-destination ${pick(random, hosts)}`;
		if (r < 0.8) return '-j ACCEPT';
		return '';
	};
	const filterTarget = (chain: string): string => {
		const r = random();
		if (r < 0.25) return `-j ${pick(random, users.filter((u) => u !== chain))}`;
		if (r < 0.3) return `-g ${pick(random, users.filter((u) => u !== chain))}`;
		if (r < 0.42) return '-j RETURN';
		if (r < 0.5) return `-j MARK --set-xmark 0x${pick(random, [1, 2, 4])}/0x0`;
		if (r < 0.6) return '-j LOG --log-prefix "seen "';
		if (r < 0.7) return '-j DROP';
		if (r < 0.78) return `-j REJECT --reject-with ${family === 4 ? 'icmp-port-unreachable' : 'icmp6-port-unreachable'}`;
		if (r < 0.85) return '-j ACCEPT';
		return '';
	};
	// User chains only call chains later in this order, so there are no loops.
	const order = ['SVC-A', 'SVC-B', 'SVC-C', 'MARKS'];
	const later = (chain: string) => order.slice(order.indexOf(chain) + 1);
	const lines = (table: 'nat' | 'filter', chain: string, count: number): string[] => {
		const out: string[] = [];
		for (let i = 0; i < count; i++) {
			let target = table === 'nat' ? natTarget(chain) : filterTarget(chain);
			const jump = /^-[jg] (SVC-[ABC]|MARKS)$/.exec(target);
			if (jump && order.includes(chain) && !later(chain).includes(jump[1]!)) target = '-j RETURN';
			if (target === '-j RETURN' && !order.includes(chain) && random() < 0.5) target = '';
			out.push(`-A ${chain} ${criteria()} ${target}`.replace(/ +/g, ' ').trim());
		}
		return out;
	};
	const size = () => 40 + Math.floor(random() * 80);
	const raw = extras ? ['*raw', ':PREROUTING ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', `-A PREROUTING -d ${pick(random, hosts)} -j CT --notrack`, `-A OUTPUT -d ${pick(random, hosts)} -j NOTRACK`, 'COMMIT'] : [];
	const postrouting = extras ? [`-A POSTROUTING -o eth1 -j MASQUERADE`, `-A POSTROUTING -s ${pick(random, sources)} -j SNAT --to-source ${pick(random, hosts)}`] : [];
	const nat = [
		'*nat', ':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]',
		...users.map((u) => `:${u} - [0:0]`),
		...lines('nat', 'PREROUTING', size()), ...lines('nat', 'SVC-A', size()), ...lines('nat', 'SVC-B', 8), ...lines('nat', 'SVC-C', size()),
		...lines('nat', 'MARKS', 5), ...lines('nat', 'POSTROUTING', 6), ...postrouting, ...lines('nat', 'OUTPUT', size()),
		'COMMIT',
	];
	const filter = [
		'*filter', `:INPUT ${random() < 0.5 ? 'DROP' : 'ACCEPT'} [0:0]`, ':FORWARD DROP [0:0]', ':OUTPUT ACCEPT [0:0]',
		...users.map((u) => `:${u} - [0:0]`),
		'-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
		...lines('filter', 'INPUT', size()), ...lines('filter', 'FORWARD', size()), ...lines('filter', 'SVC-A', size()), ...lines('filter', 'SVC-B', size()),
		...lines('filter', 'SVC-C', 12), ...lines('filter', 'MARKS', 4), ...lines('filter', 'OUTPUT', size()),
		'COMMIT',
	];
	return `${[...raw, ...nat, ...filter].join('\n')}\n`;
}

export function randomPacket(random: Random, family: 4 | 6): Packet {
	const { hosts, sources } = pools(family);
	const dst = random() < 0.8 ? pick(random, hosts) : family === 4 ? `10.96.${Math.floor(random() * 3)}.${Math.floor(random() * 40)}` : `fd00:96::${Math.floor(random() * 64).toString(16)}`;
	const src = pick(random, sources);
	const proto = pick(random, ['tcp', 'tcp', 'udp', family === 4 ? 'icmp' : 'icmpv6']);
	const at = (ip: string, port: number) => (family === 6 ? `[${ip}]:${port}` : `${ip}:${port}`);
	const ports = proto === 'tcp' || proto === 'udp';
	const dport = pick(random, proto === 'udp' ? [53, 123, 9999] : [22, 80, 443, 8080, 9999]);
	const words = [proto, ports ? at(src, 1024 + Math.floor(random() * 60000)) : src, '>', ports ? at(dst, dport) : dst];
	const where = random();
	if (where < 0.6) words.push('in', pick(random, ['eth0', 'eth1', 'wg0']));
	else if (where < 0.8) words.push('in', 'eth0', 'out', 'eth1');
	else words.push('local');
	if (random() < 0.2) words.push('mark', String(pick(random, [1, 2, 4])));
	if (random() < 0.1) words.push('state', 'ESTABLISHED');
	return packet(words.join(' '));
}
