import type { MatchExtension, TargetExtension } from './extension.js';
import { addrtype } from './matches/addrtype.js';
import { ah } from './matches/ah.js';
import { bpf } from './matches/bpf.js';
import { cgroup } from './matches/cgroup.js';
import { comment } from './matches/comment.js';
import { connbytes } from './matches/connbytes.js';
import { connlimit } from './matches/connlimit.js';
import { connmark } from './matches/connmark.js';
import { conntrack } from './matches/conntrack.js';
import { cpu } from './matches/cpu.js';
import { dccp } from './matches/dccp.js';
import { devgroup } from './matches/devgroup.js';
import { dscp } from './matches/dscp.js';
import { dst } from './matches/dst.js';
import { ecn } from './matches/ecn.js';
import { esp } from './matches/esp.js';
import { frag } from './matches/frag.js';
import { hashlimit } from './matches/hashlimit.js';
import { hbh } from './matches/hbh.js';
import { helper } from './matches/helper.js';
import { hl } from './matches/hl.js';
import { icmp } from './matches/icmp.js';
import { icmp6 } from './matches/icmp6.js';
import { iprange } from './matches/iprange.js';
import { ipv6header } from './matches/ipv6header.js';
import { ipvs } from './matches/ipvs.js';
import { length } from './matches/length.js';
import { limit } from './matches/limit.js';
import { mac } from './matches/mac.js';
import { mark } from './matches/mark.js';
import { mh } from './matches/mh.js';
import { multiport } from './matches/multiport.js';
import { nfacct } from './matches/nfacct.js';
import { owner } from './matches/owner.js';
import { physdev } from './matches/physdev.js';
import { pkttype } from './matches/pkttype.js';
import { policy } from './matches/policy.js';
import { quota } from './matches/quota.js';
import { realm } from './matches/realm.js';
import { recent } from './matches/recent.js';
import { rpfilter } from './matches/rpfilter.js';
import { rt } from './matches/rt.js';
import { sctp } from './matches/sctp.js';
import { set } from './matches/set.js';
import { socket } from './matches/socket.js';
import { state } from './matches/state.js';
import { statistic } from './matches/statistic.js';
import { string } from './matches/string.js';
import { tcp } from './matches/tcp.js';
import { tcpmss } from './matches/tcpmss.js';
import { time } from './matches/time.js';
import { tos } from './matches/tos.js';
import { ttl } from './matches/ttl.js';
import { u32 } from './matches/u32.js';
import { udp } from './matches/udp.js';
import { AUDIT } from './targets/AUDIT.js';
import { CHECKSUM } from './targets/CHECKSUM.js';
import { CLASSIFY } from './targets/CLASSIFY.js';
import { CONNMARK } from './targets/CONNMARK.js';
import { CONNSECMARK } from './targets/CONNSECMARK.js';
import { CT } from './targets/CT.js';
import { DNAT } from './targets/DNAT.js';
import { DSCP } from './targets/DSCP.js';
import { HL } from './targets/HL.js';
import { HMARK } from './targets/HMARK.js';
import { IDLETIMER } from './targets/IDLETIMER.js';
import { LED } from './targets/LED.js';
import { LOG } from './targets/LOG.js';
import { MARK } from './targets/MARK.js';
import { MASQUERADE } from './targets/MASQUERADE.js';
import { NETMAP } from './targets/NETMAP.js';
import { NFLOG } from './targets/NFLOG.js';
import { NFQUEUE } from './targets/NFQUEUE.js';
import { NOTRACK } from './targets/NOTRACK.js';
import { RATEEST } from './targets/RATEEST.js';
import { REDIRECT } from './targets/REDIRECT.js';
import { REJECT } from './targets/REJECT.js';
import { SECMARK } from './targets/SECMARK.js';
import { SET } from './targets/SET.js';
import { SNAT } from './targets/SNAT.js';
import { ACCEPT, DROP, QUEUE, RETURN } from './targets/standard.js';
import { SYNPROXY } from './targets/SYNPROXY.js';
import { TCPMSS } from './targets/TCPMSS.js';
import { TOS } from './targets/TOS.js';
import { TPROXY } from './targets/TPROXY.js';
import { TRACE } from './targets/TRACE.js';
import { TTL } from './targets/TTL.js';
import { ULOG } from './targets/ULOG.js';

// One line per extension: adding `-m foo` is a new file in matches/ and a line here.
const MATCHES: readonly MatchExtension<any>[] = [
	addrtype,
	ah,
	bpf,
	cgroup,
	comment,
	connbytes,
	connlimit,
	connmark,
	conntrack,
	cpu,
	dccp,
	devgroup,
	dscp,
	dst,
	ecn,
	esp,
	frag,
	hashlimit,
	hbh,
	helper,
	hl,
	icmp,
	icmp6,
	iprange,
	ipv6header,
	ipvs,
	length,
	limit,
	mac,
	mark,
	mh,
	multiport,
	nfacct,
	owner,
	physdev,
	pkttype,
	policy,
	quota,
	realm,
	recent,
	rpfilter,
	rt,
	sctp,
	set,
	socket,
	state,
	statistic,
	string,
	tcp,
	tcpmss,
	time,
	tos,
	ttl,
	u32,
	udp,
];

const TARGETS: readonly TargetExtension<any>[] = [
	ACCEPT,
	AUDIT,
	CHECKSUM,
	CLASSIFY,
	CONNMARK,
	CONNSECMARK,
	CT,
	DNAT,
	DROP,
	DSCP,
	HL,
	HMARK,
	IDLETIMER,
	LED,
	LOG,
	MARK,
	MASQUERADE,
	NETMAP,
	NFLOG,
	NFQUEUE,
	NOTRACK,
	QUEUE,
	RATEEST,
	REDIRECT,
	REJECT,
	RETURN,
	SECMARK,
	SET,
	SNAT,
	SYNPROXY,
	TCPMSS,
	TOS,
	TPROXY,
	TRACE,
	TTL,
	ULOG,
];

const matchesByName = new Map<string, MatchExtension>();
for (const m of MATCHES) for (const name of [m.name, ...(m.aliases ?? [])]) matchesByName.set(name, m);
const targetsByName = new Map<string, TargetExtension>(TARGETS.map((t) => [t.name, t]));

export const matchExtension = (name: string): MatchExtension | undefined => matchesByName.get(name);
export const targetExtension = (name: string): TargetExtension | undefined => targetsByName.get(name);

/** The match iptables loads by itself for `-p NAME` when options follow without `-m`. */
export function implicitMatchFor(protocol: string, family: 4 | 6): string | undefined {
	switch (protocol) {
		case 'tcp': case '6': return 'tcp';
		case 'udp': case '17': return 'udp';
		case 'icmp': case '1': return family === 4 ? 'icmp' : undefined;
		case 'icmpv6': case 'ipv6-icmp': case 'icmp6': case '58': return family === 6 ? 'icmp6' : undefined;
		case 'sctp': case '132': return 'sctp';
		case 'dccp': case '33': return 'dccp';
		case 'udplite': case '136': return 'udplite';
		default: return undefined;
	}
}

/**
 * Extensions whose kernel side turns connection tracking on in the namespace (they call nf_ct_netns_get).
 * Without one of them the kernel tracks nothing, and nat chains never see a packet.
 */
export const CONNTRACK_USERS: ReadonlySet<string> = new Set([
	'state', 'conntrack', 'connmark', 'connlimit', 'connbytes', 'helper', 'cluster', 'connlabel',
	'DNAT', 'SNAT', 'MASQUERADE', 'REDIRECT', 'NETMAP', 'CONNMARK', 'CT', 'NOTRACK',
]);
