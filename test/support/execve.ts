import { accessSync, constants, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** strace is installed (the read-only tests trace every execve with it). */
export function hasStrace(): boolean {
	for (const dir of ['/usr/bin', '/bin', '/usr/sbin', '/usr/local/bin']) {
		try {
			accessSync(join(dir, 'strace'), constants.X_OK);
			return true;
		} catch {
			// not there
		}
	}
	return false;
}

/** Every argv the traced process and its children passed to execve, as the kernel saw them (strace -f -o FILE). */
export function execves(traceFile: string): string[][] {
	const calls: string[][] = [];
	for (const line of readFileSync(traceFile, 'utf8').split('\n')) {
		const match = /execve\("[^"]*", \[(.*?)\](?:, 0x|\.\.\.)/.exec(line);
		if (!match) continue;
		calls.push([...match[1]!.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!.replace(/\\(.)/g, '$1')));
	}
	return calls;
}
