import type { OptionUse, ParseContext } from '../extension.js';

/** A port or port range, possibly negated: the shape of --sport/--dport in tcp, udp, sctp and dccp. */
export interface PortRange {
	readonly from: number;
	readonly to: number;
	readonly negated: boolean;
}

export function parsePortRange(option: OptionUse, ctx: ParseContext): PortRange {
	const token = ctx.arg(option, 'a port or range (N or N:M)');
	const resolved = token.text.split(':').map((part) => String(SERVICE_PORTS[part] ?? part)).join(':');
	const { from, to } = ctx.range({ ...token, text: resolved }, 'port', 0, 65535);
	return { from, to, negated: option.negated };
}

export function describePortRange(range: PortRange): string {
	return range.from === range.to ? String(range.from) : `${range.from}:${range.to}`;
}

/** null when the port is in the range (respecting negation), else why not. */
export function checkPort(range: PortRange, port: number | undefined, what: string): string | null {
	if (port === undefined) return `the packet has no ${what} (not a first fragment)`;
	const inside = port >= range.from && port <= range.to;
	if (inside !== range.negated) return null;
	return range.negated
		? `${what} ${port} is ${describePortRange(range)}, which is excluded`
		: `${what} ${port} is not ${range.from === range.to ? '' : 'in '}${describePortRange(range)}`;
}

/** The --sport/--dport pair of tcp, udp, sctp and dccp: null when both hold, else why not. */
export function checkPorts(o: { readonly sport?: PortRange; readonly dport?: PortRange }, packet: { readonly sport?: number; readonly dport?: number }): string | null {
	if (o.sport) {
		const why = checkPort(o.sport, packet.sport, 'source port');
		if (why) return why;
	}
	return o.dport ? checkPort(o.dport, packet.dport, 'destination port') : null;
}

/** Service names iptables resolves through /etc/services; the common ones, so that saved names load anywhere. */
export const SERVICE_PORTS: Readonly<Record<string, number>> = {
	ftp: 21, 'ftp-data': 20, ssh: 22, telnet: 23, smtp: 25, domain: 53, bootps: 67, bootpc: 68, tftp: 69, http: 80,
	www: 80, pop3: 110, sunrpc: 111, auth: 113, ntp: 123, 'netbios-ns': 137, 'netbios-dgm': 138, 'netbios-ssn': 139,
	imap: 143, imap2: 143, snmp: 161, 'snmp-trap': 162, bgp: 179, ldap: 389, https: 443, 'microsoft-ds': 445, isakmp: 500,
	submission: 587, syslog: 514, ipp: 631, ldaps: 636, rsync: 873, imaps: 993, pop3s: 995, openvpn: 1194, 'ms-sql-s': 1433,
	nfs: 2049, mysql: 3306, 'ipsec-nat-t': 4500, postgresql: 5432, 'http-alt': 8080, domain_s: 853, 'ms-wbt-server': 3389,
	squid: 3128, x11: 6000, irc: 6667, kerberos: 88, smtps: 465, 'sieve': 4190,
};
