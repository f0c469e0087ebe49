import { resolveSource } from '../../../source/commands/sources.js';
import { buildHost } from '../../../source/host/model.js';
import type { TuiHost } from '../../../source/tui/App.js';
import { tuiHost } from '../../../source/tui/host.js';

/** A demo lab host as the TUI gets it (the same path as `netsleuth --demo NAME`). */
export async function demoHost(name = 'reject-ip'): Promise<TuiHost> {
	return tuiHost(await resolveSource({ demo: name }, async () => ''));
}

/** A host of iptables rules only. */
export function rulesHost(iptables: string, label = 'files'): TuiHost {
	const { model, warnings } = buildHost({ iptables });
	return { model, label, warnings, linksProblem: 'no interfaces were read' };
}

/** The handout's first exercise: the REJECT of 10.2.67.113 on demo reject-ip. */
export const EXERCISE = 'tcp 10.2.67.113:51000 > 172.16.6.251:22 in ens32';

/** A NAT ruleset: DNAT in PREROUTING, a user chain jump, a FORWARD policy. */
export const NAT_RULES = `*nat
:PREROUTING ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:WEB - [0:0]
-A PREROUTING -p tcp -m tcp --dport 8080 -j WEB
-A WEB -p tcp -m comment --comment "web \x1b]52;c;aGk=\x07frontend" -j DNAT --to-destination 10.9.0.2:80
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:CHECKS - [0:0]
-A FORWARD -j CHECKS
-A FORWARD -d 10.9.0.2/32 -p tcp -m tcp --dport 80 -j ACCEPT
-A CHECKS -s 192.0.2.0/24 -j DROP
-A CHECKS -p udp -j DROP
COMMIT
`;
