import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { hostname, release } from 'node:os';
import { execa } from 'execa';
import type { RawHostState } from './model.js';
import { quoted } from '../views/safe-text.js';

/**
 * The only commands netsleuth ever runs, each with fixed arguments: all of them only read. A command is
 * named by its key; nothing else can be spawned (runAllowed refuses any other argv).
 */
export const ALLOWED_COMMANDS = {
	iptables: ['iptables-save', '-c'],
	ip6tables: ['ip6tables-save', '-c'],
	iptablesLegacy: ['iptables-legacy-save', '-c'],
	ip6tablesLegacy: ['ip6tables-legacy-save', '-c'],
	routes: ['ip', '-j', 'route', 'show', 'table', 'all'],
	routes6: ['ip', '-6', '-j', 'route', 'show', 'table', 'all'],
	ipRules: ['ip', '-j', 'rule'],
	ipRules6: ['ip', '-6', '-j', 'rule'],
	addresses: ['ip', '-j', '-d', 'addr'],
	links: ['ip', '-j', '-d', 'link'],
	neighbours: ['ip', '-j', 'neigh'],
	netnsIds: ['ip', '-j', 'netns', 'list-id'],
	bridgeLinks: ['bridge', '-j', '-d', 'link'],
	fdb: ['bridge', '-j', 'fdb'],
	bridgeVlans: ['bridge', '-j', 'vlan'],
	ipset: ['ipset', 'save'],
	nft: ['nft', '-j', 'list', 'ruleset'],
} as const satisfies Partial<Record<keyof RawHostState, readonly string[]>>;

export type CommandKey = keyof typeof ALLOWED_COMMANDS;

/** Parts whose command is often simply not installed (or has nothing to say): its absence is not reported. */
const OPTIONAL: ReadonlySet<CommandKey> = new Set(['ipset', 'nft', 'iptablesLegacy', 'ip6tablesLegacy', 'netnsIds']);

/** The package that provides each program, for "install …" hints (Debian/Ubuntu and Fedora names agree). */
const PACKAGES: Readonly<Record<string, string>> = {
	'iptables-save': 'iptables', 'ip6tables-save': 'iptables', 'iptables-legacy-save': 'iptables', 'ip6tables-legacy-save': 'iptables',
	ip: 'iproute2', bridge: 'iproute2', ipset: 'ipset', nft: 'nftables', sysctl: 'procps',
};

/** sysctls that change a packet's path (global ones; per-interface ones are added for each link). */
export const SYSCTL_KEYS = [
	'net.ipv4.ip_forward', 'net.ipv6.conf.all.forwarding', 'net.ipv4.conf.all.rp_filter', 'net.ipv4.conf.default.rp_filter',
	'net.ipv4.conf.all.accept_local', 'net.ipv4.conf.default.accept_local', 'net.bridge.bridge-nf-call-iptables',
	'net.bridge.bridge-nf-call-ip6tables', 'net.netfilter.nf_conntrack_tcp_loose', 'net.netfilter.nf_conntrack_count',
	'net.netfilter.nf_conntrack_max',
] as const;

/** Per-interface sysctls, read for every link: `net.ipv4.conf.IF.KEY`. */
export const SYSCTL_PER_INTERFACE = ['rp_filter', 'accept_local'] as const;

/** A sysctl key as sysctl(8) prints it (dots inside an interface name become slashes). */
function interfaceKey(ifname: string, key: string): string {
	return `net.ipv4.conf.${ifname.replace(/\./g, '/')}.${key}`;
}

const SYSCTL_KEY = /^net\.[A-Za-z0-9_/@+-]+(?:\.[A-Za-z0-9_/@+-]+)*$/;
const NETNS_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}$/;

export const DEFAULT_TIMEOUT_MS = 20_000;
/** No tool's output may exceed this (a huge kube-proxy host prints tens of MB): past it the part is dropped. */
export const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;

export interface RunOptions {
	readonly timeoutMs: number;
	readonly maxBytes: number;
}

/** Runs one allow-listed argv and returns its standard output; throws a RunFailure when it cannot. */
export interface Runner {
	run(argv: readonly string[], options: RunOptions): Promise<string>;
}

/** Why a command gave no output, in the terms explain() needs. */
export interface RunFailure {
	code?: string;
	exitCode?: number;
	stderr?: string;
	timedOut?: boolean;
	tooLarge?: boolean;
	message?: string;
}

/** The real runner: execa with an argument array (never a shell), no stdin, C locale, timeout and output cap. */
export const execaRunner: Runner = {
	async run(argv, options) {
		try {
			const result = await execa(argv[0]!, argv.slice(1), {
				timeout: options.timeoutMs, maxBuffer: options.maxBytes, stdin: 'ignore', reject: true, env: { LC_ALL: 'C' }, stripFinalNewline: false,
			});
			return result.stdout;
		} catch (error) {
			const e = error as { code?: string; exitCode?: number; stderr?: string; timedOut?: boolean; isMaxBuffer?: boolean; message?: string };
			const failure: RunFailure = { ...(e.code ? { code: e.code } : {}), ...(e.exitCode !== undefined ? { exitCode: e.exitCode } : {}), stderr: String(e.stderr ?? ''), timedOut: e.timedOut === true, tooLarge: e.isMaxBuffer === true, message: e.message ?? '' };
			throw failure;
		}
	},
};

/** The argv actually spawned for a command: inside a named namespace through `ip netns exec NAME`. */
export function spawnArgv(argv: readonly string[], netns: string | undefined): string[] {
	return netns ? ['ip', 'netns', 'exec', netns, ...argv] : [...argv];
}

/**
 * Is this exactly an argv netsleuth may spawn? One of ALLOWED_COMMANDS, or `sysctl -e KEY…` with read-only
 * keys (no `=`, no `-w`), optionally behind `ip netns exec NAME`.
 */
export function isAllowedArgv(argv: readonly string[]): boolean {
	let rest = argv;
	if (rest[0] === 'ip' && rest[1] === 'netns' && rest[2] === 'exec') {
		if (!NETNS_NAME.test(rest[3] ?? '')) return false;
		rest = rest.slice(4);
	}
	if (rest[0] === 'sysctl') return rest[1] === '-e' && rest.length > 2 && rest.slice(2).every((key) => SYSCTL_KEY.test(key));
	return Object.values(ALLOWED_COMMANDS).some((allowed) => allowed.length === rest.length && allowed.every((word, i) => word === rest[i]));
}

/** Why a part could not be read, and what to do about it, in one line. */
export function explain(command: string, error: RunFailure, timeoutMs = DEFAULT_TIMEOUT_MS, maxBytes = DEFAULT_MAX_BYTES): string {
	const pkg = PACKAGES[command];
	if (error.code === 'ENOENT') return `${command} is not installed${pkg ? ` (install the ${pkg} package)` : ''}`;
	if (error.code === 'EACCES') return `${command} cannot be executed: permission denied (check its file mode)`;
	if (error.timedOut) return `${command} did not answer within ${timeoutMs / 1000} s (skipped; is the host overloaded?)`;
	if (error.tooLarge) return `${command} printed more than ${Math.round(maxBytes / 1048576)} MiB (skipped: output cap)`;
	const stderr = (error.stderr ?? '').trim().split('\n').find((line) => line.trim() !== '') ?? '';
	if (/permission denied|must be root|Operation not permitted|you must be root/i.test(stderr)) return `${command}: permission denied (run netsleuth as root, e.g. with sudo)`;
	if (/Cannot open network namespace|No such file or directory/.test(stderr) && command === 'ip netns exec') return `network namespace not found: ${stderr.slice(0, 160)}`;
	return `${command} failed (exit ${error.exitCode ?? '?'})${stderr ? `: ${stderr.slice(0, 160)}` : ''}`;
}

export interface CollectOptions {
	/** The process runner (tests pass one that records every argv). */
	readonly runner?: Runner;
	readonly timeoutMs?: number;
	readonly maxBytes?: number;
	/** Reads a /proc/sys file on the live host (tests may replace it); undefined when absent. */
	readonly readProc?: (path: string) => Promise<string | undefined>;
}

export interface CollectedMeta {
	readonly hostname: string;
	readonly kernel: string;
	/** ISO-8601, when collection started. */
	readonly time: string;
	readonly netns?: string;
}

export interface Collected {
	readonly raw: RawHostState;
	/** One line per part that could not be read, saying what to do about it. */
	readonly missing: string[];
	readonly meta: CollectedMeta;
}

/** The parts that make a host worth looking at: without any of them, nothing useful was read. */
export const USEFUL_PARTS = ['iptables', 'ip6tables', 'iptablesLegacy', 'ip6tablesLegacy', 'routes', 'routes6', 'ipRules', 'ipRules6', 'addresses', 'links'] as const;

export function readSomethingUseful(raw: RawHostState): boolean {
	return USEFUL_PARTS.some((key) => raw[key] !== undefined);
}

async function readProcFile(path: string): Promise<string | undefined> {
	return readFile(path, 'utf8').catch(() => undefined);
}

function interfaceNames(raw: RawHostState): string[] {
	for (const text of [raw.links, raw.addresses]) {
		try {
			const list = JSON.parse(text ?? 'null') as { ifname?: unknown }[] | null;
			if (Array.isArray(list)) return list.map((l) => l?.ifname).filter((n): n is string => typeof n === 'string' && /^[^\s/=]{1,15}$/.test(n) && n !== '.' && n !== '..');
		} catch {
			// Validated where it is parsed.
		}
	}
	return [];
}

/** The sysctls that change the path: from /proc/sys on the live host, through `sysctl -e` inside a namespace. */
async function readSysctls(raw: RawHostState, netns: string | undefined, run: (argv: string[]) => Promise<string>, readProc: (path: string) => Promise<string | undefined>): Promise<string | undefined> {
	const keys: string[] = [...SYSCTL_KEYS];
	for (const name of interfaceNames(raw)) for (const key of SYSCTL_PER_INTERFACE) keys.push(interfaceKey(name, key));
	const valid = keys.filter((key) => SYSCTL_KEY.test(key));
	if (netns) return run(['sysctl', '-e', ...valid]);
	const lines: string[] = [];
	for (const key of valid) {
		// sysctl names a/b as a.b with slashes standing for dots inside one name.
		const path = `/proc/sys/${key.split('.').map((part) => part.replace(/\//g, '.')).join('/')}`;
		const value = await readProc(path);
		if (value !== undefined) lines.push(`${key} = ${value.trim()}`);
	}
	return lines.length ? `${lines.join('\n')}\n` : undefined;
}

/** Reads the live host (or a named network namespace) through the allow-list; never changes anything. */
export async function collectLiveHost(netns?: string, options: CollectOptions = {}): Promise<Collected> {
	const runner = options.runner ?? execaRunner;
	const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
	const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
	const time = new Date().toISOString();
	const kernel = (await (options.readProc ?? readProcFile)('/proc/sys/kernel/osrelease'))?.trim() ?? release();
	const meta: CollectedMeta = { hostname: hostname(), kernel, time, ...(netns ? { netns } : {}) };
	const raw: RawHostState = { hostname: netns ? `${hostname()} (netns ${netns})` : hostname() };
	const missing: string[] = [];
	if (netns !== undefined && (!NETNS_NAME.test(netns) || !existsSync(`/run/netns/${netns}`))) {
		missing.push(`no network namespace named ${quoted(netns)} (ip netns list shows the names; create it with ip netns add, or drop --netns)`);
		return { raw, missing, meta };
	}
	const run = async (argv: string[]): Promise<string> => {
		const full = spawnArgv(argv, netns);
		if (!isAllowedArgv(full)) throw new Error(`refusing to run a command that is not on the allow-list: ${full.join(' ')}`);
		return runner.run(full, { timeoutMs, maxBytes });
	};
	await Promise.all(
		(Object.entries(ALLOWED_COMMANDS) as [CommandKey, readonly string[]][]).map(async ([key, argv]) => {
			try {
				raw[key] = await run([...argv]);
			} catch (error) {
				const failure = error as RunFailure;
				// Inside a namespace the missing program is reported by ip netns exec, not by the spawn.
				if (/exec of ".*" failed: No such file or directory/.test(failure.stderr ?? '')) failure.code = 'ENOENT';
				if (OPTIONAL.has(key) && (failure.code === 'ENOENT' || key === 'netnsIds')) return;
				// ipset and nft say "permission denied" as non-root: that matters, the rules may use sets.
				missing.push(explain(argv[0]!, failure, timeoutMs, maxBytes));
			}
		}),
	);
	try {
		const sysctl = await readSysctls(raw, netns, run, options.readProc ?? readProcFile);
		if (sysctl !== undefined) raw.sysctl = sysctl;
	} catch (error) {
		missing.push(explain('sysctl', error as RunFailure, timeoutMs, maxBytes));
	}
	// Not root: one line for every tool that refused, rather than one each.
	const denied = missing.filter((line) => line.endsWith(': permission denied (run netsleuth as root, e.g. with sudo)'));
	const lines = denied.length > 1
		? [...missing.filter((line) => !denied.includes(line)), `${denied.map((line) => line.split(':')[0]).sort().join(', ')}: permission denied (run netsleuth as root, e.g. with sudo)`]
		: missing;
	return { raw, missing: [...new Set(lines)].sort(), meta };
}
