import { readFile } from 'node:fs/promises';
import { collectLiveHost } from '../host/collect.js';
import { buildHost, InputError, type LoadedHost, type Origins, type RawHostState } from '../host/model.js';
import { loadDemo } from '../host/demo/index.js';

/** The source flags of ARCHITECTURE.md §3, as the CLI parsed them. */
export interface SourceFlags {
	snapshot?: string;
	netns?: string;
	demo?: string;
	rules?: string;
	rules6?: string;
	routes?: string;
	ipRules?: string;
	links?: string;
	sysctl?: string;
	ipset?: string;
}

/** The host could not be read at all (exit code 3). */
export class HostUnreadableError extends Error {}

export interface ResolvedSource extends LoadedHost {
	/** "live", "demo node0", "files", "snapshot host.json", "netns NAME". */
	readonly label: string;
}

async function readInput(path: string, stdin: () => Promise<string>): Promise<string> {
	if (path === '-') return stdin();
	try {
		return await readFile(path, 'utf8');
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		throw new InputError(`${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (error as Error).message}`);
	}
}

/** Reads whatever the flags name (files, demo, live host) into a host model. Side effects live here, not in the engine. */
export async function resolveSource(flags: SourceFlags, stdin: () => Promise<string>): Promise<ResolvedSource> {
	const parts: [keyof SourceFlags, keyof RawHostState][] = [
		['rules', 'iptables'], ['rules6', 'ip6tables'], ['routes', 'routes'], ['ipRules', 'ipRules'], ['links', 'addresses'], ['sysctl', 'sysctl'], ['ipset', 'ipset'],
	];
	const given = parts.filter(([flag]) => flags[flag] !== undefined);
	if (flags.demo !== undefined) {
		const demo = loadDemo(flags.demo);
		return { ...buildHost(demo.raw, { iptables: `demo ${flags.demo}: iptables-save` }), label: `demo ${flags.demo}` };
	}
	if (flags.snapshot !== undefined) throw new InputError('--snapshot is not supported yet: use --rules, --routes, --ip-rules, --links and --sysctl');
	if (given.length > 0) {
		const raw: RawHostState = { hostname: 'files' };
		const origins: Origins = {};
		for (const [flag, key] of given) {
			const path = flags[flag]!;
			(raw as Record<string, string>)[key] = await readInput(path, stdin);
			origins[key] = path === '-' ? 'stdin' : path;
		}
		// A route JSON may hold both families (ip -j route prints one; a user may concatenate).
		return { ...buildHost(raw, origins), label: 'files' };
	}
	const collected = await collectLiveHost(flags.netns);
	const label = flags.netns ? `netns ${flags.netns}` : 'live host';
	if (collected.raw.iptables === undefined && collected.raw.routes === undefined) {
		throw new HostUnreadableError(`could not read ${label}: ${collected.missing.join('; ')}`);
	}
	const loaded = buildHost(collected.raw);
	return { ...loaded, warnings: [...collected.missing, ...loaded.warnings], label };
}
