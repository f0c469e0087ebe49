import type { TcpState } from './tcp.js';

/** Seconds a connection lives without packets, per protocol and TCP state. */
export interface Timeouts {
	readonly tcp: Readonly<Record<Exclude<TcpState, 'NONE'>, number>>;
	/** A picked-up connection that has seen no reply yet lives at most this long (TCP_CONNTRACK_UNACK). */
	readonly tcpUnacknowledged: number;
	readonly udp: number;
	readonly udpStream: number;
	readonly icmp: number;
	readonly icmpv6: number;
	readonly gre: number;
	readonly greStream: number;
	readonly generic: number;
	/** nf_conntrack_tcp_loose: 1 picks up connections from a mid-stream packet, 0 refuses them. */
	readonly tcpLoose: boolean;
}

/** nf_conntrack defaults (kernel 6.x), and the sysctl keys that change them. */
const TCP_KEYS: readonly [Exclude<TcpState, 'NONE'>, string, number][] = [
	['SYN_SENT', 'syn_sent', 120], ['SYN_RECV', 'syn_recv', 60], ['ESTABLISHED', 'established', 432000],
	['FIN_WAIT', 'fin_wait', 120], ['CLOSE_WAIT', 'close_wait', 60], ['LAST_ACK', 'last_ack', 30],
	['TIME_WAIT', 'time_wait', 120], ['CLOSE', 'close', 10],
];

/** The timeouts from the host's sysctl where it gives them, else the kernel's defaults (listed in `assumed`). */
export function timeoutsOf(sysctl: ReadonlyMap<string, string>, assumed: string[]): Timeouts {
	const read = (name: string, fallback: number): number => {
		const value = Number(sysctl.get(`net.netfilter.${name}`));
		if (sysctl.has(`net.netfilter.${name}`) && Number.isFinite(value) && value >= 0) return value;
		assumed.push(`${name} = ${fallback}`);
		return fallback;
	};
	const tcp = {} as Record<Exclude<TcpState, 'NONE'>, number>;
	for (const [state, key, fallback] of TCP_KEYS) tcp[state] = read(`nf_conntrack_tcp_timeout_${key}`, fallback);
	// SYN_SENT2 (simultaneous open) has no sysctl of its own: the kernel gives it SYN_SENT's default.
	tcp.SYN_SENT2 = 120;
	return {
		tcp,
		tcpUnacknowledged: read('nf_conntrack_tcp_timeout_unacknowledged', 300),
		udp: read('nf_conntrack_udp_timeout', 30),
		udpStream: read('nf_conntrack_udp_timeout_stream', 120),
		icmp: read('nf_conntrack_icmp_timeout', 30),
		icmpv6: read('nf_conntrack_icmpv6_timeout', 30),
		gre: read('nf_conntrack_gre_timeout', 30),
		greStream: read('nf_conntrack_gre_timeout_stream', 180),
		generic: read('nf_conntrack_generic_timeout', 600),
		tcpLoose: read('nf_conntrack_tcp_loose', 1) !== 0,
	};
}
