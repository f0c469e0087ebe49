import type { MatchExtension, TargetExtension } from './extension.js';
import { comment } from './matches/comment.js';
import { conntrack } from './matches/conntrack.js';
import { icmp } from './matches/icmp.js';
import { icmp6 } from './matches/icmp6.js';
import { mac } from './matches/mac.js';
import { mark } from './matches/mark.js';
import { multiport } from './matches/multiport.js';
import { state } from './matches/state.js';
import { tcp } from './matches/tcp.js';
import { udp } from './matches/udp.js';
import { DNAT } from './targets/DNAT.js';
import { LOG } from './targets/LOG.js';
import { MARK } from './targets/MARK.js';
import { MASQUERADE } from './targets/MASQUERADE.js';
import { REDIRECT } from './targets/REDIRECT.js';
import { REJECT } from './targets/REJECT.js';
import { SNAT } from './targets/SNAT.js';
import { ACCEPT, DROP, QUEUE, RETURN } from './targets/standard.js';

// One line per extension: adding `-m foo` is a new file in matches/ and a line here.
const MATCHES: readonly MatchExtension<any>[] = [
	comment,
	conntrack,
	icmp,
	icmp6,
	mac,
	mark,
	multiport,
	state,
	tcp,
	udp,
];

const TARGETS: readonly TargetExtension<any>[] = [
	ACCEPT,
	DNAT,
	DROP,
	LOG,
	MARK,
	MASQUERADE,
	QUEUE,
	REDIRECT,
	REJECT,
	RETURN,
	SNAT,
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
