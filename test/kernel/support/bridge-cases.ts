// Random cases for the bridged topology (netns.ts BRIDGE_TOPOLOGY): rules that name the bridge, its ports
// and the physdev options in every hook a bridged or handed-up frame can see, with a frame to a known MAC, an
// unknown one, the bridge's own, or one behind the arrival port, and br_netfilter on or off.

import type { DifferentialCase } from './differential.js';
import { DEFAULT_TOPOLOGY } from './netns.js';
import { random } from './random-cases.js';

const SERVER_MAC = DEFAULT_TOPOLOGY.server.mac;
const BEHIND_CLIENT = '02:00:00:00:01:72';
const ADDRESSES = {
	4: { client: '10.2.67.113', host: '10.2.67.1', server: '10.2.67.2', net: '10.2.67.0/24', other: '192.168.0.0/16' },
	6: { client: 'fd00:1::113', host: 'fd00:1::1', server: 'fd00:1::2', net: 'fd00:1::/64', other: '2001:db8::/32' },
} as const;

type Hook = 'PREROUTING' | 'INPUT' | 'FORWARD' | 'POSTROUTING';
const TABLES: Record<string, Hook[]> = {
	raw: ['PREROUTING'],
	mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'POSTROUTING'],
	nat: ['PREROUTING', 'INPUT', 'POSTROUTING'],
	filter: ['INPUT', 'FORWARD'],
};

/** One random bridged case; the same seed always gives the same case. */
export function randomBridgeCase(seed: number): DifferentialCase {
	const next = random(seed);
	const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
	const chance = (p: number) => next() < p;
	const not = () => (chance(0.2) ? '! ' : '');
	const family = chance(0.7) ? 4 : 6;
	const a = ADDRESSES[family];
	const proto = pick(['udp', 'tcp'] as const);
	const dport = pick([53, 80, 443]);
	const where = pick(['known', 'known', 'unknown', 'up', 'up', 'behind'] as const);
	const dstMac = where === 'known' ? SERVER_MAC : where === 'unknown' ? '02:00:00:00:99:99' : where === 'behind' ? BEHIND_CLIENT : undefined;
	const dst = where === 'up' ? a.host : a.server;

	const criteria = (hook: Hook): string => {
		const parts: string[] = [];
		const count = 1 + Math.floor(next() * 2.5);
		let physdev: string[] = [];
		let protoGiven = false;
		const used = new Set<string>();
		for (let i = 0; i < count; i++) {
			const kind = pick(['in', 'out', 'physin', 'physout', 'isbridged', 'isin', 'isout', 'proto', 'src', 'dst', 'state'] as const);
			if (used.has(kind)) continue;
			used.add(kind);
			switch (kind) {
				case 'in': if (hook !== 'POSTROUTING') parts.push(`${not()}-i ${pick(['br0', 'eth0', 'eth1', 'br+', 'eth+'])}`); break;
				case 'out': if (hook === 'FORWARD' || hook === 'POSTROUTING') parts.push(`${not()}-o ${pick(['br0', 'eth1', 'eth0', 'br+'])}`); break;
				case 'physin': physdev.push(`${not()}--physdev-in ${pick(['eth0', 'eth1', 'eth+'])}`); break;
				case 'physout': if (hook !== 'PREROUTING' && hook !== 'INPUT') physdev.push(`${not()}--physdev-out ${pick(['eth1', 'eth0'])}`); break;
				case 'isbridged': physdev.push(`${not()}--physdev-is-bridged`); break;
				case 'isin': physdev.push(`${not()}--physdev-is-in`); break;
				case 'isout': if (hook !== 'PREROUTING' && hook !== 'INPUT') physdev.push(`${not()}--physdev-is-out`); break;
				case 'proto': if (!protoGiven) { protoGiven = true; parts.push(chance(0.7) ? `-p ${proto} --dport ${chance(0.6) ? dport : pick([22, 8080])}` : `${not()}-p ${pick(['udp', 'tcp'])}`); } break;
				case 'src': parts.push(`${not()}-s ${pick([a.client, a.net, a.other])}`); break;
				case 'dst': parts.push(`${not()}-d ${pick([a.server, a.host, a.net, a.other])}`); break;
				case 'state': parts.push(`-m conntrack --ctstate ${pick(['NEW', 'ESTABLISHED', 'NEW,ESTABLISHED', 'INVALID'])}`); break;
			}
		}
		// One -m physdev per rule: its options together.
		physdev = [...new Set(physdev.map((p) => p.replace(/^! /, '')))].map((p) => (chance(0.2) ? `! ${p}` : p));
		if (physdev.length) parts.push(`-m physdev ${physdev.join(' ')}`);
		return parts.join(' ');
	};
	const target = (table: string, hook: Hook): string => {
		const options = table === 'filter' ? ['', 'ACCEPT', 'DROP', 'MARK', 'REJECT'] : table === 'nat' ? ['', 'ACCEPT'] : ['', 'ACCEPT', 'MARK', 'DROP'];
		const t = pick(options);
		if (t === 'MARK') return ` -j MARK --set-mark ${1 + Math.floor(next() * 9)}`;
		if (t === 'REJECT' && (hook === 'INPUT' || hook === 'FORWARD')) return ' -j REJECT';
		return t && t !== 'REJECT' ? ` -j ${t}` : '';
	};
	const tables: string[] = [];
	for (const [table, hooks] of Object.entries(TABLES)) {
		if (!chance(table === 'filter' || table === 'mangle' ? 0.8 : 0.5)) continue;
		const lines = [`*${table}`];
		for (const hook of hooks) lines.push(`:${hook} ${table === 'filter' && chance(0.2) ? 'DROP' : 'ACCEPT'} [0:0]`);
		for (const hook of hooks) {
			const rules = Math.floor(next() * 4);
			for (let i = 0; i < rules; i++) lines.push(`-A ${hook} ${criteria(hook)}${target(table, hook)}`.replace(/ +/g, ' ').trimEnd());
		}
		lines.push('COMMIT');
		tables.push(lines.join('\n'));
	}
	const rules = `${tables.join('\n')}\n`;
	const nfOff = chance(0.2);
	const sysctl = family === 4 ? 'net.bridge.bridge-nf-call-iptables' : 'net.bridge.bridge-nf-call-ip6tables';
	const packet = { family, proto, src: a.client, dst, dport, ...(dstMac ? { dstMac } : {}) } as const;
	return {
		name: `bridge seed ${seed}: ${family === 4 ? 'IPv4' : 'IPv6'} ${proto}/${dport} to ${where}${nfOff ? `, ${sysctl}=0` : ''}`,
		...(tables.length ? (family === 4 ? { rules } : { rules6: rules }) : {}),
		topology: {
			host: {
				bridge: { fdb: [`${SERVER_MAC} dev eth1 master static`, `${BEHIND_CLIENT} dev eth0 master static`] },
				...(nfOff ? { sysctls: { [sysctl]: 0 } } : {}),
			},
		},
		packet,
	};
}
