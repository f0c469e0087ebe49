import { readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { ALLOWED_COMMANDS, type Collected, type CollectedMeta } from './collect.js';
import { InputError, RAW_PARTS, type Origins, type RawHostState } from './model.js';
import { loadSosDirectory } from './sos.js';
import { JsonSyntaxError, jsonValueText, parseJson } from '../views/json-input.js';
import { quoted } from '../views/safe-text.js';

/**
 * One JSON file with everything the collector read: every raw output under `outputs` (keyed as in
 * RawHostState), where it came from (`commands`), what could not be read (`missing`), and who, where and
 * when. Loading it needs no root and no tool: it is only text.
 */
export const SNAPSHOT_FORMAT = 'netsleuth-snapshot';
export const SNAPSHOT_VERSION = 1;

export interface Snapshot {
	readonly format: typeof SNAPSHOT_FORMAT;
	readonly formatVersion: number;
	readonly netsleuthVersion: string;
	readonly hostname: string;
	readonly kernel: string;
	/** ISO-8601: when collection started. */
	readonly time: string;
	readonly netns?: string;
	/** A name for what the snapshot shows, when it is not the host name (the demo lab's variants). */
	readonly label?: string;
	readonly missing: readonly string[];
	/** The argv that produced each output ("sysctl" reads /proc/sys or runs sysctl -e inside a namespace). */
	readonly commands: Readonly<Record<string, readonly string[]>>;
	readonly outputs: Partial<Record<(typeof RAW_PARTS)[number], string>>;
}

let cachedVersion: string | undefined;

/** netsleuth's own version, from the package.json beside the build. */
export function netsleuthVersion(): string {
	if (cachedVersion) return cachedVersion;
	try {
		const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
		cachedVersion = pkg.version ?? 'unknown';
	} catch {
		cachedVersion = 'unknown';
	}
	return cachedVersion;
}

export function makeSnapshot(collected: Collected, label?: string): Snapshot {
	const outputs: Snapshot['outputs'] = {};
	const commands: Record<string, readonly string[]> = {};
	for (const key of RAW_PARTS) {
		const text = collected.raw[key];
		if (text === undefined) continue;
		outputs[key] = text;
		const argv = key === 'sysctl' ? (collected.meta.netns ? ['sysctl', '-e', '…'] : ['/proc/sys']) : ALLOWED_COMMANDS[key as keyof typeof ALLOWED_COMMANDS];
		if (argv) commands[key] = collected.meta.netns && key !== 'sysctl' ? ['ip', 'netns', 'exec', collected.meta.netns, ...argv] : argv;
	}
	return {
		format: SNAPSHOT_FORMAT,
		formatVersion: SNAPSHOT_VERSION,
		netsleuthVersion: netsleuthVersion(),
		hostname: collected.meta.hostname,
		kernel: collected.meta.kernel,
		time: collected.meta.time,
		...(collected.meta.netns ? { netns: collected.meta.netns } : {}),
		...(label ? { label } : {}),
		missing: collected.missing,
		commands,
		outputs,
	};
}

export function serialiseSnapshot(snapshot: Snapshot): string {
	return `${JSON.stringify(snapshot, null, 1)}\n`;
}

export interface LoadedSnapshot {
	readonly raw: RawHostState;
	readonly origins: Origins;
	readonly meta: Partial<CollectedMeta> & { readonly label?: string };
	/** What the snapshot itself says could not be read, and what the loader could not use. */
	readonly warnings: string[];
}

/** Validates a snapshot document; every error names the file and what is wrong, in one line. */
export function parseSnapshot(text: string, file: string): LoadedSnapshot {
	let doc: unknown;
	try {
		doc = parseJson(text);
	} catch (error) {
		if (error instanceof JsonSyntaxError) throw new InputError(`${file}:${error.line}:${error.column}: not a netsleuth snapshot: invalid JSON: ${error.reason}`);
		throw error;
	}
	if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new InputError(`${file}: not a netsleuth snapshot: expected a JSON object`);
	const o = doc as Record<string, unknown>;
	if (o['format'] !== SNAPSHOT_FORMAT) {
		throw new InputError(`${file}: not a netsleuth snapshot: "format" is ${o['format'] === undefined ? 'missing' : jsonValueText(o['format'])}, expected ${quoted(SNAPSHOT_FORMAT)} (make one with netsleuth snapshot -o FILE)`);
	}
	if (typeof o['formatVersion'] !== 'number' || o['formatVersion'] > SNAPSHOT_VERSION || o['formatVersion'] < 1) {
		throw new InputError(`${file}: snapshot format version ${jsonValueText(o['formatVersion'])} is not one this netsleuth reads (1..${SNAPSHOT_VERSION}): upgrade netsleuth`);
	}
	const outputs = o['outputs'];
	if (typeof outputs !== 'object' || outputs === null || Array.isArray(outputs)) throw new InputError(`${file}: "outputs" must be an object of command outputs`);
	const raw: RawHostState = {};
	const origins: Origins = {};
	const warnings: string[] = [];
	const known = new Set<string>(RAW_PARTS);
	for (const [key, value] of Object.entries(outputs)) {
		if (!known.has(key)) {
			warnings.push(`${file}: ignoring unknown output ${quoted(key)} (made by a newer netsleuth?)`);
			continue;
		}
		if (typeof value !== 'string') throw new InputError(`${file}: outputs.${key} must be a string (the command's output), got ${value === null ? 'null' : typeof value}`);
		(raw as Record<string, string>)[key] = value;
		origins[key as keyof RawHostState] = `${file}: ${key}`;
	}
	for (const key of ['hostname', 'kernel', 'time', 'netns', 'label'] as const) {
		if (o[key] !== undefined && typeof o[key] !== 'string') throw new InputError(`${file}: ${quoted(key)} must be a string`);
	}
	if (o['missing'] !== undefined && (!Array.isArray(o['missing']) || o['missing'].some((m) => typeof m !== 'string'))) throw new InputError(`${file}: "missing" must be an array of strings`);
	const hostname = o['hostname'] as string | undefined;
	const netns = o['netns'] as string | undefined;
	const label = o['label'] as string | undefined;
	raw.hostname = label ?? (netns ? `${hostname ?? 'host'} (netns ${netns})` : hostname ?? file);
	for (const line of (o['missing'] as string[] | undefined) ?? []) warnings.push(`${file}: when it was taken: ${line}`);
	return {
		raw,
		origins,
		meta: {
			...(hostname ? { hostname } : {}), ...(typeof o['kernel'] === 'string' ? { kernel: o['kernel'] } : {}),
			...(typeof o['time'] === 'string' ? { time: o['time'] } : {}), ...(netns ? { netns } : {}), ...(label ? { label } : {}),
		},
		warnings,
	};
}

/** `--snapshot PATH`: a snapshot file, or a directory in the sosreport layout. */
export async function loadSnapshot(path: string): Promise<LoadedSnapshot> {
	let info;
	try {
		info = await stat(path);
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		throw new InputError(`${path}: ${code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : (error as Error).message}`);
	}
	if (info.isDirectory()) return loadSosDirectory(path);
	let text: string;
	try {
		text = await readFile(path, 'utf8');
	} catch (error) {
		throw new InputError(`${path}: ${(error as NodeJS.ErrnoException).code === 'EACCES' ? 'permission denied' : (error as Error).message}`);
	}
	return parseSnapshot(text, path);
}
