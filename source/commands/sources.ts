import { readFile } from 'node:fs/promises';
import { collectLiveHost, readSomethingUseful } from '../host/collect.js';
import { buildHost, InputError, type LoadedHost, type Origins, type RawHostState } from '../host/model.js';
import { loadDemo } from '../host/demo/index.js';
import { loadSnapshot } from '../host/snapshot.js';
import { decodeText } from '../host/decode-text.js';

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
	/** The raw outputs the model was built from (the links view reads them), and where each came from. */
	readonly raw: RawHostState;
	readonly origins: Origins;
}

async function readInput(path: string, stdin: () => Promise<string>): Promise<string> {
	if (path === '-') return stdin();
	try {
		return decodeText(await readFile(path));
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
		const origins: Origins = { iptables: `demo ${flags.demo}: iptables-save` };
		return { ...buildHost(demo.raw, origins), label: `demo ${flags.demo}`, raw: demo.raw, origins };
	}
	if (flags.snapshot !== undefined) {
		const snapshot = await loadSnapshot(flags.snapshot);
		const loaded = buildHost(snapshot.raw, snapshot.origins);
		return { ...loaded, warnings: [...snapshot.warnings, ...loaded.warnings], label: `snapshot ${flags.snapshot}`, raw: snapshot.raw, origins: snapshot.origins };
	}
	if (given.length > 0) {
		const raw: RawHostState = { hostname: 'files' };
		const origins: Origins = {};
		for (const [flag, key] of given) {
			const path = flags[flag]!;
			(raw as Record<string, string>)[key] = await readInput(path, stdin);
			origins[key] = path === '-' ? 'stdin' : path;
		}
		// A route JSON may hold both families (ip -j route prints one; a user may concatenate).
		return { ...buildHost(raw, origins), label: 'files', raw, origins };
	}
	const collected = await collectLiveHost(flags.netns);
	const label = flags.netns ? `netns ${flags.netns}` : 'live host';
	if (!readSomethingUseful(collected.raw)) {
		throw new HostUnreadableError(`could not read ${label}: ${collected.missing.join('; ')}`);
	}
	const loaded = buildHost(collected.raw);
	return { ...loaded, warnings: [...collected.missing, ...loaded.warnings], label, raw: collected.raw, origins: {} };
}
