import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { kubeProxyDump, prng } from '../../bench/kube-gen.js';
import { buildHost } from '../../source/host/model.js';
import { chainIndex } from '../../source/netfilter/chain-index.js';
import { setChainIndex } from '../../source/netfilter/walk.js';
import type { Packet } from '../../source/packet/packet.js';
import { tracePacket, type HostModel } from '../../source/trace/pipeline.js';
import { packet } from '../support/packets.js';

/**
 * The chain index (source/netfilter/chain-index.ts) may only skip work whose outcome it reproduces
 * exactly: every trace, with every evaluation and its reason, every hit, branch, rewrite and assumption,
 * must be the one the rule-by-rule walk gives. Random rulesets and packets from a fixed seed.
 */

function traceBoth(host: HostModel, p: Packet): { indexed: string; linear: string } {
	setChainIndex(false);
	let linear: string;
	try {
		linear = JSON.stringify(tracePacket(host, p));
	} finally {
		setChainIndex(true);
	}
	return { indexed: JSON.stringify(tracePacket(host, p)), linear };
}

type Random = () => number;

function pick<T>(random: Random, list: readonly T[]): T {
	return list[Math.floor(random() * list.length)]!;
}

/** A few addresses that rules and packets share, so that buckets collide and packets hit. */
function pools(family: 4 | 6): { hosts: string[]; nets: string[]; sources: string[] } {
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
 * One random ruleset: a nat and a filter table whose big chains (40–120 rules) mix rules the index takes
 * (`-d ADDRESS`) with every kind it must not step over (networks, negations, `-s` first, no `-d`), user
 * chains reached by -j and -g, RETURN, marks, random branches, DNAT that changes the destination mid-walk.
 */
function randomRuleset(random: Random, family: 4 | 6): string {
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
	const nat = [
		'*nat', ':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]',
		...users.map((u) => `:${u} - [0:0]`),
		...lines('nat', 'PREROUTING', size()), ...lines('nat', 'SVC-A', size()), ...lines('nat', 'SVC-B', 8), ...lines('nat', 'SVC-C', size()),
		...lines('nat', 'MARKS', 5), ...lines('nat', 'POSTROUTING', 6), ...lines('nat', 'OUTPUT', size()),
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
	return `${[...nat, ...filter].join('\n')}\n`;
}

function randomPacket(random: Random, family: 4 | 6): Packet {
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

describe('chain index: the same traces as the rule-by-rule walk', () => {
	for (const family of [4, 6] as const) {
		test(`random IPv${family} rulesets and packets (fixed seed)`, () => {
			const random = prng(family === 4 ? 20251125 : 6);
			let indexedChains = 0;
			let traces = 0;
			for (let r = 0; r < 25; r++) {
				const text = randomRuleset(random, family);
				const host = buildHost(family === 4 ? { iptables: text } : { ip6tables: text }).model;
				const ruleset = family === 4 ? host.rules4! : host.rules6!;
				for (const table of ruleset.tables.values()) for (const chain of table.chains.values()) if (chainIndex(chain)) indexedChains++;
				for (let p = 0; p < 40; p++) {
					const packet = randomPacket(random, family);
					const { indexed, linear } = traceBoth(host, packet);
					assert.equal(indexed, linear, `ruleset ${r}, packet ${p}:\n${text}`);
					traces++;
				}
			}
			assert.ok(indexedChains > 25, `the index was used (${indexedChains} indexed chains)`);
			assert.equal(traces, 1000);
		});
	}
	test('a kube-proxy dump (1,000 services): packets to services, to nothing, from pods', () => {
		const dump = kubeProxyDump(1000, 3);
		const host = buildHost({ iptables: dump.text }).model;
		const services = host.rules4!.tables.get('nat')!.chains.get('KUBE-SERVICES')!;
		assert.ok(chainIndex(services), 'KUBE-SERVICES is indexed');
		const random = prng(99);
		for (let i = 0; i < 150; i++) {
			const s = dump.services[Math.floor(random() * dump.services.length)]!;
			const src = random() < 0.3 ? '10.244.3.7' : `192.168.${Math.floor(random() * 250)}.9`;
			const dst = random() < 0.8 ? s.clusterIP : `10.96.${Math.floor(random() * 8)}.${Math.floor(random() * 250)}`;
			const where = random() < 0.7 ? 'in eth0' : 'local';
			const { indexed, linear } = traceBoth(host, packet(`${s.proto} ${src}:${40000 + i} > ${dst}:${random() < 0.9 ? s.port : 1} ${where}`));
			assert.equal(indexed, linear, `packet ${i}`);
		}
	});
	test('the evaluations are read lazily but are plain data: JSON and deep equality as before', () => {
		const host = buildHost({ iptables: kubeProxyDump(100, 4).text }).model;
		const p = packet('tcp 192.168.0.9:40000 > 10.96.0.50:80 in eth0');
		const a = tracePacket(host, p);
		const b = tracePacket(host, p);
		assert.deepEqual(JSON.parse(JSON.stringify(a)), JSON.parse(JSON.stringify(b)));
		assert.deepEqual(a, b);
		const step = a.steps.find((s) => s.kind === 'chain' && s.table === 'nat' && s.hook === 'PREROUTING');
		assert.ok(step && step.kind === 'chain');
		assert.ok(step.evaluations.length > 40);
		assert.deepEqual(Object.keys(step.evaluations.find((e) => !e.matched)!), ['table', 'chain', 'rule', 'text', 'matched', 'reason']);
		assert.deepEqual(Object.keys(step.evaluations.find((e) => e.matched)!), ['table', 'chain', 'rule', 'text', 'matched']);
	});
});
