import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { execa } from 'execa';
import type { RawHostState } from './model.js';

/**
 * The only commands netsleuth ever runs, each with fixed arguments: all of them only read. A command is
 * named by its key; nothing else can be spawned.
 */
export const ALLOWED_COMMANDS = {
	iptables: ['iptables-save', '-c'],
	ip6tables: ['ip6tables-save', '-c'],
	routes: ['ip', '-j', 'route', 'show', 'table', 'all'],
	routes6: ['ip', '-6', '-j', 'route', 'show', 'table', 'all'],
	ipRules: ['ip', '-j', 'rule'],
	ipRules6: ['ip', '-6', '-j', 'rule'],
	addresses: ['ip', '-j', '-d', 'addr'],
	ipset: ['ipset', 'save'],
	nft: ['nft', '-j', 'list', 'ruleset'],
} as const satisfies Partial<Record<keyof RawHostState, readonly string[]>>;

const TIMEOUT_MS = 10_000;
const MAX_OUTPUT = 256 * 1024 * 1024;

/** Why a part could not be read, and what to do about it, in one line. */
function explain(command: string, error: { code?: string; stderr?: string; exitCode?: number; timedOut?: boolean }): string {
	if (error.code === 'ENOENT') return `${command} is not installed (install the package that provides it)`;
	if (error.timedOut) return `${command} did not answer within ${TIMEOUT_MS / 1000} s`;
	const stderr = (error.stderr ?? '').trim().split('\n')[0] ?? '';
	if (/permission denied|must be root|Operation not permitted/i.test(stderr)) return `${command}: permission denied (run netsleuth as root)`;
	return `${command} failed (exit ${error.exitCode ?? '?'}): ${stderr.slice(0, 160)}`;
}

async function runAllowed(argv: readonly string[], netns: string | undefined): Promise<string> {
	const [file, ...args] = netns ? ['ip', 'netns', 'exec', netns, ...argv] : argv;
	const result = await execa(file!, args, { timeout: TIMEOUT_MS, maxBuffer: MAX_OUTPUT, stdin: 'ignore', reject: true, env: { LC_ALL: 'C' } });
	return result.stdout;
}

/** sysctls that change the path: read from /proc/sys (no process needed). */
async function readSysctls(netns: string | undefined, addresses: string | undefined): Promise<string> {
	if (netns) {
		const keys = ['net.ipv4.ip_forward', 'net.ipv6.conf.all.forwarding', 'net.ipv4.conf.all.rp_filter', 'net.ipv4.conf.default.rp_filter', 'net.ipv4.conf.all.accept_local'];
		return runAllowed(['sysctl', ...keys], netns).catch(() => '');
	}
	const keys = ['net/ipv4/ip_forward', 'net/ipv6/conf/all/forwarding', 'net/ipv4/conf/all/rp_filter', 'net/ipv4/conf/default/rp_filter', 'net/ipv4/conf/all/accept_local', 'net/bridge/bridge-nf-call-iptables', 'net/bridge/bridge-nf-call-ip6tables'];
	try {
		for (const link of JSON.parse(addresses ?? '[]') as { ifname?: string }[]) if (link.ifname && /^[\w.-]+$/.test(link.ifname)) keys.push(`net/ipv4/conf/${link.ifname}/rp_filter`);
	} catch {
		// The address JSON is validated where it is parsed.
	}
	const lines: string[] = [];
	for (const key of keys) {
		const value = await readFile(`/proc/sys/${key}`, 'utf8').catch(() => undefined);
		if (value !== undefined) lines.push(`${key.replace(/\//g, '.')} = ${value.trim()}`);
	}
	return lines.join('\n');
}

export interface Collected {
	readonly raw: RawHostState;
	/** One line per part that could not be read. */
	readonly missing: string[];
}

/** Reads the live host (or a named network namespace) through the allow-list; never changes anything. */
export async function collectLiveHost(netns?: string): Promise<Collected> {
	const raw: RawHostState = { hostname: netns ? `${hostname()} (netns ${netns})` : hostname() };
	const missing: string[] = [];
	await Promise.all(
		Object.entries(ALLOWED_COMMANDS).map(async ([key, argv]) => {
			try {
				raw[key as keyof typeof ALLOWED_COMMANDS] = await runAllowed(argv, netns);
			} catch (error) {
				if (key === 'ipset' || key === 'nft') return; // optional: absent on many hosts
				missing.push(explain(argv[0], error as never));
			}
		}),
	);
	raw.sysctl = await readSysctls(netns, raw.addresses);
	return { raw, missing };
}
