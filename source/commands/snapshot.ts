import { writeFile } from 'node:fs/promises';
import { collectLiveHost, type CollectOptions, readSomethingUseful } from '../host/collect.js';
import { InputError } from '../host/model.js';
import { makeSnapshot, serialiseSnapshot } from '../host/snapshot.js';
import { HostUnreadableError } from './sources.js';

export interface SnapshotArgs {
	/** -o FILE; "-" writes to standard output; absent: netsleuth-HOST[-NETNS]-TIME.json here. */
	readonly output?: string;
	readonly netns?: string;
	readonly warn: (line: string) => void;
	readonly collect?: CollectOptions;
}

export interface SnapshotResult {
	/** What goes to standard output: the snapshot itself with -o -, else one line saying where it went. */
	readonly stdout: string;
	readonly file?: string;
}

function defaultName(hostname: string, netns: string | undefined, time: string): string {
	const safe = (text: string) => text.replace(/[^A-Za-z0-9_.-]+/g, '_');
	return `netsleuth-${safe(hostname)}${netns ? `-${safe(netns)}` : ''}-${time.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}.json`;
}

/** `netsleuth snapshot [-o FILE] [--netns NAME]`: reads the host once and keeps every raw output in one file. */
export async function runSnapshot(args: SnapshotArgs): Promise<SnapshotResult> {
	const collected = await collectLiveHost(args.netns, args.collect);
	const where = args.netns ? `netns ${args.netns}` : 'this host';
	if (!readSomethingUseful(collected.raw)) throw new HostUnreadableError(`could not read ${where}: ${collected.missing.join('; ')}`);
	for (const line of collected.missing) args.warn(line);
	const snapshot = makeSnapshot(collected);
	const text = serialiseSnapshot(snapshot);
	if (args.output === '-') return { stdout: text };
	const file = args.output ?? defaultName(collected.meta.hostname, args.netns, collected.meta.time);
	try {
		await writeFile(file, text, { mode: 0o600 });
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		throw new InputError(`${file}: cannot write the snapshot: ${code === 'EACCES' ? 'permission denied' : code === 'ENOENT' ? 'no such directory' : (error as Error).message}`);
	}
	const parts = Object.keys(snapshot.outputs).length;
	return { stdout: `wrote ${file}: ${parts} outputs of ${where}${collected.missing.length ? `, ${collected.missing.length} missing (see the warnings)` : ''}`, file };
}
