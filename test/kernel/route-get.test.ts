// Differential test of the routing engine against the kernel: a namespace with several tables, policy
// rules (fwmark, from, to, iif, oif, tos, ipproto/ports, uidrange, not, goto, nop, suppress), reject and
// throw routes, multipath, local/broadcast/anycast routes; then a fixed-seed random set of queries, each
// answered by `ip route get` in the namespace and by lookupRoute on that namespace's `ip -j` dumps.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';

import { prng } from '../../bench/kube-gen.js';
import { formatIp, parseCidr } from '../../source/packet/address.js';
import { lookupRoute, type RoutingState } from '../../source/routing/lookup.js';
import { parseAddresses, parseDownLinks, parseRoutes, parseRules } from '../../source/routing/routes.js';
import { disagreement, queryFromArgs, type RouteGetRecord } from '../routing/ip-route-get.js';

// The nsltk-<pid>- prefix lets the kernel harness clean up namespaces a crashed run left behind.
const LAB = `nsltk-${process.pid}-route`;
const PEERS = `nsltk-${process.pid}-route-peers`;
// Fixed by default; ROUTE_GET_SEED / ROUTE_GET_QUERIES explore further.
const SEED = Number(process.env.ROUTE_GET_SEED ?? 0x5eed);
const QUERIES = Number(process.env.ROUTE_GET_QUERIES ?? 400);

function ip(...args: string[]): string {
	return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Why the kernel cannot be asked here; creates the lab's namespaces when it can. */
function whyNotRunnable(): string | undefined {
	if (process.getuid?.() !== 0) return 'not root';
	try {
		ip('-V');
	} catch {
		return '`ip` (iproute2) is missing';
	}
	try {
		ip('netns', 'add', LAB);
		ip('netns', 'add', PEERS);
	} catch (error) {
		return `cannot create network namespaces (${String((error as { stderr?: unknown }).stderr ?? error).trim()})`;
	}
	return undefined;
}

// ── the lab ──────────────────────────────────────────────────────────────────────────────────────

/** Policy routing: custom rules of every kind, several tables, reject/throw/multipath/local routes. */
const POLICY_LAB = `
link set lo up
addr add 10.1.0.1/24 dev v0
addr add 10.1.0.9/24 dev v0
addr add 10.1.5.1/24 dev v0
addr add 10.2.0.1/24 dev v1
addr add 10.3.0.1/24 dev v2
addr add 192.168.50.1/24 dev v2
addr add 203.0.113.77/32 dev lo
addr add 2001:db8:1::1/64 dev v0
addr add fd00:1::1/64 dev v0
addr add 2001:db8:2::1/64 dev v1
addr add fd00:3::1/64 dev v2
addr add 2001:db8:3::1/64 dev v2 preferred_lft 0
route add default via 10.1.0.254
route add 198.51.100.0/24 via 10.2.0.2 metric 50 proto bird
route add 198.51.100.0/24 via 10.3.0.2 metric 100 src 10.3.0.1
route add 198.51.100.128/25 dev v2
route add 10.20.0.0/16 via 10.1.0.3 src 10.1.5.1
route add 10.21.0.0/16 via 10.1.5.254
route add 10.22.0.0/16 dev v1
route add 10.23.0.0/16 via 10.99.0.1 dev v2 onlink
route add 10.9.0.0/16 dev v0 tos 0x10
route add 10.9.0.0/16 via 10.3.0.2
route add 10.60.0.0/16 dev v3
route add blackhole 192.0.2.0/24
route add unreachable 172.16.0.0/12
route add prohibit 172.17.0.0/16 metric 5
route add 172.17.5.0/24 via 10.2.0.2
route add 100.64.0.0/10 nexthop via 10.1.0.2 weight 2 nexthop via 10.2.0.2
route add local 10.40.0.0/24 dev lo
route add broadcast 10.41.0.255 dev v1 table local
route add 203.0.113.0/24 via 10.2.0.2 table 100
route add throw 172.16.0.0/12 table 100
route add multicast 224.1.0.0/16 dev v1 table 100
route add 10.50.0.0/16 via 10.3.0.2 table 100
route add default via 10.3.0.254 table 200
route add blackhole default table 201
route add unreachable default table 202
route add prohibit 8.0.0.0/8 table 202
rule add fwmark 0x1/0x3 lookup 100 pref 100
rule add fwmark 0x2 lookup 202 pref 110
rule add from 10.1.5.0/24 lookup 200 pref 120
rule add from 10.2.0.0/24 to 8.0.0.0/8 lookup 202 pref 125
rule add iif v1 lookup 100 pref 130
rule add tos 0x10 lookup 200 pref 140
rule add tos 0x08 lookup 100 pref 145
rule add to 198.18.0.0/15 unreachable pref 150
rule add to 198.20.0.0/16 prohibit pref 151
rule add to 198.21.0.0/16 blackhole pref 152
rule add ipproto tcp dport 443 lookup 200 pref 160
rule add ipproto udp sport 1000-2000 lookup 202 pref 165
rule add uidrange 1000-1999 lookup 100 pref 170
rule add oif v2 lookup 200 pref 180
rule add not iif lo lookup 100 pref 186
rule add not fwmark 0x0/0x4 goto 240 pref 190
rule add lookup main suppress_prefixlength 0 pref 200
rule add nop pref 210
rule add fwmark 0x8 goto 9999 pref 220
rule add fwmark 0x4/0x4 prohibit pref 230
rule add fwmark 0x4/0x4 lookup 201 pref 240
-6 route add default via 2001:db8:1::fe
-6 route add 2001:db8:99::/48 via 2001:db8:2::2 metric 10
-6 route add 2001:db8:99::/48 dev v2 metric 20
-6 route add 2001:db8:77::/48 dev v1 metric 5
-6 route append 2001:db8:77::/48 dev v2 metric 5
-6 route add 2001:db8:aa::/48 nexthop via 2001:db8:1::2 dev v0 nexthop via 2001:db8:2::3 dev v1
-6 route add blackhole 2001:db8:b1::/48
-6 route add unreachable 2001:db8:b2::/48
-6 route add prohibit 2001:db8:b3::/48
-6 route add 2001:db8:60::/48 dev v3
-6 route add fd00:77::/48 via fd00:3::2 src 2001:db8:1::1
-6 route add 2001:db8:c::/48 dev v2 table 100
-6 route add throw 2001:db8:b4::/48 table 100
-6 route add default via 2001:db8:2::fe table 200
-6 rule add fwmark 0x1/0x3 lookup 100 pref 100
-6 rule add from 2001:db8:2::/64 lookup 200 pref 110
-6 rule add tos 0x10 lookup 200 pref 120
-6 rule add to 2001:db8:d::/48 unreachable pref 130
-6 rule add to 2001:db8:e::/48 prohibit pref 131
-6 rule add to 2001:db8:f::/48 blackhole pref 132
-6 rule add iif v1 lookup 100 pref 140
-6 rule add oif v2 lookup 200 pref 150
-6 rule add ipproto udp sport 53 lookup 200 pref 160
-6 rule add lookup main suppress_prefixlength 0 pref 170
-6 rule add not fwmark 0x0/0x4 lookup 100 pref 180
`;

/**
 * A plain host: default rules only, so the kernel validates input sources the cheap way (is it one
 * of my addresses?) except when a packet leaves by the interface it came in on; equal-metric default
 * routes; an IPv6 source-specific route; a multipath route through an interface that is down.
 */
const PLAIN_LAB = `
link set lo up
addr add 10.1.0.1/24 dev v0
addr add 10.1.0.9/24 dev v0
addr add 10.2.0.1/24 dev v1
addr add 172.20.0.1/16 dev v2
addr add 2001:db8:1::1/64 dev v0
addr add 2001:db8:2::1/64 dev v1
route add default via 10.1.0.254
route append default via 10.2.0.254
route add 10.30.0.0/16 via 10.2.0.2
route add 10.31.0.0/16 via 172.20.0.5
route add blackhole 10.66.0.0/16
route add unreachable 10.67.0.0/16
-6 route add default via 2001:db8:1::fe
-6 route add 2001:db8:5::/64 from 2001:db8:2::/64 via 2001:db8:2::5
-6 route add blackhole 2001:db8:66::/48
addr add 192.168.3.1/24 dev v3
route add 10.44.0.0/16 nexthop via 192.168.3.9 dev v3 nexthop via 10.2.0.9 dev v1
link set v3 down
`;

function buildLab(setup: string): void {
	// Before the links exist so they inherit it: forwarding on, rp_filter off, no DAD (no tentative addresses).
	execFileSync('ip', ['netns', 'exec', LAB, 'sysctl', '-qw', 'net.ipv4.ip_forward=1', 'net.ipv4.conf.all.rp_filter=0',
		'net.ipv4.conf.default.rp_filter=0', 'net.ipv6.conf.all.forwarding=1', 'net.ipv6.conf.all.accept_dad=0',
		'net.ipv6.conf.default.accept_dad=0']);
	for (const n of [0, 1, 2, 3]) {
		// Peers live in their own namespace so that their routes do not crowd the lab's tables.
		ip('-n', LAB, 'link', 'add', `v${n}`, 'type', 'veth', 'peer', 'name', `p${n}`, 'netns', PEERS);
		ip('-n', LAB, 'link', 'set', `v${n}`, 'up');
		ip('-n', PEERS, 'link', 'set', `p${n}`, 'up');
	}
	for (const line of setup.trim().split('\n')) ip('-n', LAB, ...line.trim().split(/\s+/));
}

function deleteLab(): void {
	for (const ns of [LAB, PEERS]) {
		try {
			ip('netns', 'del', ns);
		} catch { /* not created */ }
	}
}

function labState(): RoutingState {
	const json = (...args: string[]): unknown => JSON.parse(ip('-n', LAB, '-j', ...args));
	return {
		routes: parseRoutes(json('route', 'show', 'table', 'all')),
		rules: [...parseRules(json('-4', 'rule'), 4), ...parseRules(json('-6', 'rule'), 6)],
		localAddresses: parseAddresses(json('addr')),
		linksDown: parseDownLinks(json('addr')),
	};
}

function askKernel(family: 4 | 6, args: string[]): RouteGetRecord {
	try {
		const answer = JSON.parse(ip('-n', LAB, `-${family}`, '-d', '-j', 'route', 'get', ...args)) as Record<string, unknown>[];
		return { family, args, answer: answer[0]! };
	} catch (error) {
		const stderr = String((error as { stderr?: unknown }).stderr ?? error).trim();
		return { family, args, error: stderr.replace(/^RTNETLINK answers: /, '') };
	}
}

// ── queries ──────────────────────────────────────────────────────────────────────────────────────

/** A seeded PRNG (mulberry32), so every run asks the same questions. */
const random = prng;

interface Pools {
	v4: { destinations: string[]; local: string[]; remote: string[]; nonLocal: string };
	v6: { destinations: string[]; local: string[]; remote: string[]; nonLocal: string };
}

const POLICY_POOLS: Pools = {
	v4: {
		destinations: [
			'10.1.0.0/24', '10.1.5.0/24', '10.2.0.0/24', '10.3.0.0/24', '192.168.50.0/24', '198.51.100.0/24', '192.0.2.0/24',
			'172.16.0.0/12', '172.17.0.0/16', '172.17.5.0/24', '100.64.0.0/10', '10.9.0.0/16', '10.20.0.0/16', '10.21.0.0/16',
			'10.22.0.0/16', '10.23.0.0/16', '10.40.0.0/24', '10.41.0.0/24', '10.50.0.0/16', '10.60.0.0/16', '203.0.113.0/24',
			'198.18.0.0/15', '198.20.0.0/16', '198.21.0.0/16', '8.0.0.0/8', '1.0.0.0/8', '127.0.0.0/8', '224.0.0.0/4',
			'10.1.0.1', '10.1.0.9', '10.1.5.1', '203.0.113.77', '10.1.0.255', '10.2.0.255', '10.41.0.255', '255.255.255.255',
			'10.2.0.0', '224.0.0.251', '224.1.2.3', '224.0.0.1',
		],
		local: ['10.1.0.1', '10.1.0.9', '10.1.5.1', '10.2.0.1', '10.3.0.1', '192.168.50.1', '203.0.113.77', '10.40.0.7'],
		remote: ['10.1.0.0/24', '10.2.0.0/24', '10.3.0.0/24', '10.1.5.0/24', '8.0.0.0/8', '192.0.2.0/24', '172.17.0.0/16'],
		nonLocal: '10.77.0.1',
	},
	v6: {
		destinations: [
			'2001:db8:1::/64', '2001:db8:2::/64', 'fd00:1::/64', 'fd00:3::/64', '2001:db8:3::/64', '2001:db8:99::/48',
			'2001:db8:77::/48', '2001:db8:aa::/48', '2001:db8:b1::/48', '2001:db8:b2::/48', '2001:db8:b3::/48',
			'2001:db8:b4::/48', '2001:db8:c::/48', '2001:db8:d::/48', '2001:db8:e::/48', '2001:db8:f::/48',
			'2001:db8:60::/48', 'fd00:77::/48', '2400::/12', '2001:db8:1::1', '::1', 'fd00:3::1', '2001:db8:1::',
			'ff02::1', 'ff05::2', 'fe80::1',
		],
		local: ['2001:db8:1::1', '2001:db8:2::1', 'fd00:3::1', 'fd00:1::1'],
		remote: ['2001:db8:1::/64', '2001:db8:2::/64', '2400::/12'],
		nonLocal: '2001:db8:2::99',
	},
};

const PLAIN_POOLS: Pools = {
	v4: {
		destinations: [
			'10.1.0.0/24', '10.2.0.0/24', '172.20.0.0/16', '10.30.0.0/16', '10.31.0.0/16', '10.66.0.0/16', '10.67.0.0/16',
			'8.0.0.0/8', '10.1.0.1', '10.1.0.9', '10.1.0.255', '172.20.255.255', '224.0.0.1', '127.0.0.0/8', '10.44.0.0/16',
			'192.168.3.0/24', '192.168.3.1',
		],
		local: ['10.1.0.1', '10.1.0.9', '10.2.0.1', '172.20.0.1'],
		remote: ['10.1.0.0/24', '10.2.0.0/24', '172.20.0.0/16', '10.66.0.0/16', '10.67.0.0/16', '8.0.0.0/8', '10.1.0.255'],
		nonLocal: '10.77.0.1',
	},
	v6: {
		destinations: ['2001:db8:1::/64', '2001:db8:2::/64', '2001:db8:5::/64', '2001:db8:66::/48', '2400::/12', '2001:db8:1::1'],
		local: ['2001:db8:1::1', '2001:db8:2::1'],
		remote: ['2001:db8:1::/64', '2001:db8:2::/64', '2400::/12'],
		nonLocal: '2001:db8:2::99',
	},
};

const DEVICES = ['v0', 'v1', 'v2', 'v3'];
const MARKS = ['0', '0', '0', '0', '0x1', '0x2', '0x3', '0x4', '0x5', '0x8', '0xc'];
const TOS = ['0', '0', '0', '0', '0x10', '0x08', '0x04', '0x14', '0x12', '0x18'];
const UIDS = ['0', '0', '0', '1500', '2500'];

function queries(pools: Pools, count: number): Array<{ family: 4 | 6; args: string[] }> {
	const next = random(SEED);
	const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
	const chance = (p: number): boolean => next() < p;
	/** A random address inside the prefix (a bare address is itself). */
	const within = (text: string): string => {
		const cidr = parseCidr(text)!;
		const words = cidr.words.map((w, i) => (w | (Math.floor(next() * 0x100000000) & ~cidr.mask[i]!)) >>> 0);
		return formatIp({ family: cidr.family, words });
	};
	const result: Array<{ family: 4 | 6; args: string[] }> = [];
	while (result.length < count) {
		const family = chance(0.62) ? 4 : 6;
		const input = chance(0.3);
		const pool = family === 4 ? pools.v4 : pools.v6;
		const dst = within(pick(pool.destinations));
		// IPv6 multicast reception depends on group membership, which the engine does not simulate.
		if (input && dst.startsWith('ff')) continue;
		const args = [dst];
		if (input) {
			if (!chance(0.05)) args.push('from', chance(0.08) ? pick(pool.local) : within(pick(pool.remote)));
			args.push('iif', pick(DEVICES));
		} else {
			if (chance(0.3)) args.push('from', chance(0.1) ? pool.nonLocal : pick(pool.local));
			if (chance(0.2)) args.push('oif', pick(DEVICES));
		}
		if (chance(0.35)) args.push('mark', pick(MARKS));
		if (chance(0.3)) args.push('tos', pick(TOS));
		if (chance(0.25)) {
			const tcp = chance(0.5);
			args.push('ipproto', tcp ? 'tcp' : 'udp', 'sport', String(tcp ? 1024 + Math.floor(next() * 60000) : pick([53, 1500, 3000])), 'dport', String(tcp ? pick([443, 80]) : 53));
		}
		// The kernel looks input routes up as uid 0 (IPv6 `ip route get iif` would use the uid argument).
		args.push('uid', input ? '0' : pick(UIDS));
		result.push({ family, args });
	}
	return result;
}

// ── the test ─────────────────────────────────────────────────────────────────────────────────────

after(deleteLab);

function differential(name: string, setup: string, pools: Pools, count: number): void {
	test(`route get, ${name}: lookupRoute agrees with the kernel on ${count} random queries`, (t) => {
		try {
			const reason = whyNotRunnable();
			if (reason) {
				if (process.env.CI === 'true') assert.fail(`kernel route get test cannot run in CI: ${reason}`);
				t.skip(`kernel route get test skipped: ${reason}`);
				return;
			}
			buildLab(setup);
			const state = labState();
			const failures: string[] = [];
			const coverage: Record<string, number> = {};
			const asked = queries(pools, count);
			for (const { family, args } of asked) {
				const record = askKernel(family, args);
				const decision = lookupRoute(state, queryFromArgs(family, args));
				const why = disagreement(decision, record);
				const key = `${family} ${args.includes('iif') ? 'in' : 'out'} ${decision.error ?? decision.type} rule=${decision.rule}${decision.nexthops ? ' multipath' : ''}`;
				coverage[key] = (coverage[key] ?? 0) + 1;
				if (why) failures.push(`ip -${family} route get ${args.join(' ')}\n    ${why}\n      ${decision.explanation.join('\n      ')}`);
			}
			const agreed = asked.length - failures.length;
			const rate = `route get vs kernel (${name}): ${agreed}/${asked.length} agree (${((100 * agreed) / asked.length).toFixed(1)}%)`;
			if (process.env.ROUTE_GET_COVERAGE) console.log(JSON.stringify(coverage));
			t.diagnostic(rate);
			assert.equal(failures.length, 0, `${rate}\n${failures.slice(0, 15).join('\n')}`);
		} finally {
			deleteLab();
		}
	});
}

differential('policy routing lab', POLICY_LAB, POLICY_POOLS, QUERIES);
differential('plain host', PLAIN_LAB, PLAIN_POOLS, Math.ceil(QUERIES / 2));
