/**
 * Generates iptables-save dumps shaped like a kube-proxy node's (iptables mode, kube-proxy ≥ 1.27 as
 * iptables-save 1.8.9 prints it): KUBE-SERVICES with one rule per service port, KUBE-SVC-* load
 * balancers with `-m statistic --mode random` per endpoint, KUBE-SEP-* with KUBE-MARK-MASQ and DNAT,
 * KUBE-EXT-* and KUBE-NODEPORTS for NodePort services, KUBE-POSTROUTING, the filter table's
 * KUBE-FORWARD, KUBE-FIREWALL and "has no endpoints" REJECTs, and the comments kube-proxy writes.
 * Deterministic: the same count and seed give the same bytes. The 10,000-service dump is ~150,000 lines.
 */

/** A small, fast, seeded PRNG (mulberry32): the dumps and the packets are the same on every machine. */
export function prng(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

export interface Service {
	/** "namespace/name:port" as kube-proxy comments name it. */
	readonly id: string;
	readonly proto: 'tcp' | 'udp';
	readonly clusterIP: string;
	readonly port: number;
	readonly nodePort: number | undefined;
	readonly externalIP: string | undefined;
	readonly endpoints: readonly { readonly ip: string; readonly port: number; readonly sep: string }[];
	readonly svc: string;
}

export interface KubeDump {
	readonly text: string;
	readonly lines: number;
	readonly services: readonly Service[];
	/** The cluster CIDR (pods) the masquerade rules exempt. */
	readonly clusterCidr: string;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const NAMES = ['api', 'web', 'frontend', 'backend', 'cache', 'db', 'auth', 'search', 'queue', 'metrics', 'billing', 'cart', 'catalog', 'gateway', 'ingest', 'worker'];
const NAMESPACES = ['default', 'kube-system', 'payments', 'shop', 'monitoring', 'data', 'platform', 'team-a', 'team-b', 'staging'];
const PORTS: readonly [string, 'tcp' | 'udp', number, number][] = [
	// name, protocol, service port, container port
	['http', 'tcp', 80, 8080], ['https', 'tcp', 443, 8443], ['grpc', 'tcp', 9090, 9090], ['metrics', 'tcp', 9100, 9100],
	['dns', 'udp', 53, 53], ['redis', 'tcp', 6379, 6379], ['pg', 'tcp', 5432, 5432], ['syslog', 'udp', 514, 5514],
];

/** iptables stores the probability as a 31-bit fraction and prints it with 11 decimals. */
function probability(p: number): string {
	return (Math.round(p * 0x80000000) / 0x80000000).toFixed(11);
}

function ip4(n: number): string {
	return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

export function kubeProxyDump(count: number, seed = 1): KubeDump {
	const random = prng(seed * 7919 + count);
	const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
	const hash = (): string => {
		let s = '';
		for (let i = 0; i < 16; i++) s += BASE32[Math.floor(random() * 32)];
		return s;
	};
	const clusterCidr = '10.244.0.0/16';
	const services: Service[] = [];
	let podIp = (10 << 24) | (244 << 16) | 2;
	for (let i = 0; i < count; i++) {
		const [portName, proto, port, targetPort] = i === 0 ? ['https', 'tcp', 443, 6443] as const : pick(PORTS);
		const name = i === 0 ? 'default/kubernetes' : `${pick(NAMESPACES)}/${pick(NAMES)}-${i}`;
		// 2 % without endpoints; otherwise 1–5 replicas (3 on average).
		const r = random();
		const n = i !== 0 && r < 0.02 ? 0 : r < 0.2 ? 1 : r < 0.45 ? 2 : r < 0.7 ? 3 : r < 0.85 ? 4 : 5;
		const endpoints = Array.from({ length: n }, () => {
			podIp = podIp + 1 + Math.floor(random() * 2);
			return { ip: ip4(podIp), port: targetPort, sep: `KUBE-SEP-${hash()}` };
		});
		const nodePort = random() < 0.12 ? 30000 + (i % 2768) : undefined;
		const externalIP = random() < 0.02 ? ip4((203 << 24) | (0 << 16) | (113 << 8) | (i % 250) + 1) : undefined;
		services.push({
			id: `${name}:${portName}`, proto, clusterIP: ip4((10 << 24) | (96 << 16) | (i + 1)), port, nodePort, externalIP, endpoints, svc: `KUBE-SVC-${hash()}`,
		});
	}

	// ── nat ──────────────────────────────────────────────────────────────────────────────────────────
	const decl: string[] = [];
	const natRules: string[][] = [];
	const chainRules = new Map<string, string[]>();
	const rulesOf = (chain: string): string[] => {
		let list = chainRules.get(chain);
		if (!list) {
			list = [];
			chainRules.set(chain, list);
		}
		return list;
	};
	for (const chain of ['KUBE-MARK-MASQ', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-SERVICES', 'KUBE-KUBELET-CANARY', 'KUBE-PROXY-CANARY']) rulesOf(chain);
	rulesOf('KUBE-MARK-MASQ').push('-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000');
	rulesOf('KUBE-POSTROUTING').push(
		'-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN',
		'-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0',
		'-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
	);
	const filterServices: string[] = [];
	const filterExternal: string[] = [];
	for (const s of services) {
		const m = `-p ${s.proto} -m comment --comment`;
		if (s.endpoints.length === 0) {
			filterServices.push(`-A KUBE-SERVICES -d ${s.clusterIP}/32 ${m} "${s.id} has no endpoints" -m ${s.proto} --dport ${s.port} -j REJECT --reject-with icmp-port-unreachable`);
			if (s.nodePort !== undefined) filterExternal.push(`-A KUBE-EXTERNAL-SERVICES ${m} "${s.id} has no endpoints" -m addrtype --dst-type LOCAL -m ${s.proto} --dport ${s.nodePort} -j REJECT --reject-with icmp-port-unreachable`);
			continue;
		}
		rulesOf('KUBE-SERVICES').push(`-A KUBE-SERVICES -d ${s.clusterIP}/32 ${m} "${s.id} cluster IP" -m ${s.proto} --dport ${s.port} -j ${s.svc}`);
		const ext = `KUBE-EXT-${s.svc.slice(9)}`;
		if (s.externalIP) rulesOf('KUBE-SERVICES').push(`-A KUBE-SERVICES -d ${s.externalIP}/32 ${m} "${s.id} external IP" -m ${s.proto} --dport ${s.port} -j ${ext}`);
		if (s.nodePort !== undefined) rulesOf('KUBE-NODEPORTS').push(`-A KUBE-NODEPORTS ${m} "${s.id}" -m ${s.proto} --dport ${s.nodePort} -j ${ext}`);
		if (s.nodePort !== undefined || s.externalIP) {
			rulesOf(ext).push(
				`-A ${ext} -m comment --comment "masquerade traffic for ${s.id} external destinations" -j KUBE-MARK-MASQ`,
				`-A ${ext} -j ${s.svc}`,
			);
		}
		const svc = rulesOf(s.svc);
		svc.push(`-A ${s.svc} ! -s ${clusterCidr} -d ${s.clusterIP}/32 ${m} "${s.id} cluster IP" -m ${s.proto} --dport ${s.port} -j KUBE-MARK-MASQ`);
		s.endpoints.forEach((e, k) => {
			const left = s.endpoints.length - k;
			const stat = left > 1 ? ` -m statistic --mode random --probability ${probability(1 / left)}` : '';
			svc.push(`-A ${s.svc} -m comment --comment "${s.id} -> ${e.ip}:${e.port}"${stat} -j ${e.sep}`);
			rulesOf(e.sep).push(
				`-A ${e.sep} -s ${e.ip}/32 -m comment --comment "${s.id}" -j KUBE-MARK-MASQ`,
				`-A ${e.sep} ${m} "${s.id}" -m ${s.proto} -j DNAT --to-destination ${e.ip}:${e.port}`,
			);
		});
	}
	rulesOf('KUBE-SERVICES').push('-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS');
	const userChains = [...chainRules.keys()].sort();
	for (const chain of userChains) decl.push(`:${chain} - [0:0]`);
	natRules.push([
		'-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
		'-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
		'-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
	]);
	for (const chain of userChains) natRules.push(chainRules.get(chain)!);

	const out: string[] = [
		'# Generated by iptables-save v1.8.9 (nf_tables) on Tue Nov 25 12:00:00 2025',
		'*mangle',
		':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]',
		':KUBE-IPTABLES-HINT - [0:0]', ':KUBE-KUBELET-CANARY - [0:0]', ':KUBE-PROXY-CANARY - [0:0]',
		'COMMIT',
		'# Completed on Tue Nov 25 12:00:00 2025',
		'# Generated by iptables-save v1.8.9 (nf_tables) on Tue Nov 25 12:00:00 2025',
		'*filter',
		':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]',
		':KUBE-EXTERNAL-SERVICES - [0:0]', ':KUBE-FIREWALL - [0:0]', ':KUBE-FORWARD - [0:0]', ':KUBE-KUBELET-CANARY - [0:0]',
		':KUBE-NODEPORTS - [0:0]', ':KUBE-PROXY-CANARY - [0:0]', ':KUBE-PROXY-FIREWALL - [0:0]', ':KUBE-SERVICES - [0:0]',
		'-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
		'-A INPUT -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS',
		'-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES',
		'-A INPUT -j KUBE-FIREWALL',
		'-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
		'-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD',
		'-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
		'-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES',
		'-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
		'-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
		'-A OUTPUT -j KUBE-FIREWALL',
		...filterExternal,
		'-A KUBE-FIREWALL ! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment "block incoming localnet connections" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP',
		'-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP',
		'-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT',
		'-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
		...filterServices,
		'COMMIT',
		'# Completed on Tue Nov 25 12:00:00 2025',
		'# Generated by iptables-save v1.8.9 (nf_tables) on Tue Nov 25 12:00:00 2025',
		'*nat',
		':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]',
		...decl,
		...natRules.flat(),
		'COMMIT',
		'# Completed on Tue Nov 25 12:00:00 2025',
	];
	return { text: `${out.join('\n')}\n`, lines: out.length, services, clusterCidr };
}
