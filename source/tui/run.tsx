import { render } from 'ink';
import { type ResolvedSource, resolveSource, type SourceFlags } from '../commands/sources.js';
import { CaptureInputError } from '../capture/frame.js';
import { InputError } from '../host/model.js';
import { App } from './App.js';
import { CaptureFile } from './capture/capture-file.js';
import { tuiHost } from './host.js';
import { guardTerminal } from './terminal.js';

export interface TuiOptions {
	readonly source: SourceFlags;
	readonly readStdin: () => Promise<string>;
	/** Print how long the first frame took (after the TUI ends). */
	readonly debug?: boolean;
	/** A capture file to open in the Capture view (`netsleuth --pcap FILE`). */
	readonly pcap?: string;
}

/**
 * The interactive TUI (loaded by cli.ts only when stdin and stdout are terminals). Reads the host first,
 * so that a host that cannot be read fails in the shell, then owns the alternate screen until q.
 */
export async function runTui(options: TuiOptions, given?: ResolvedSource): Promise<number> {
	const resolved = given ?? (await resolveSource(options.source, options.readStdin));
	const host = tuiHost(resolved);
	let capture: CaptureFile | undefined;
	try {
		capture = options.pcap === undefined ? undefined : CaptureFile.open(options.pcap);
	} catch (error) {
		throw error instanceof CaptureInputError ? new InputError(error.message) : error;
	}
	const colour = !('NO_COLOR' in process.env);
	const guard = guardTerminal(
		{
			write: (text) => process.stdout.write(text),
			cookedMode: () => {
				if (process.stdin.isTTY) process.stdin.setRawMode(false);
			},
		},
		process,
		(message) => process.stderr.write(`${message}\n`),
	);
	let firstFrame: number | undefined;
	let keyAt: number | undefined;
	const keyToFrame: number[] = [];
	guard.enter();
	try {
		const instance = render(<App host={host} colour={colour} onKey={() => (keyAt = performance.now())} {...(capture ? { capture, initial: { view: 'capture' as const } } : {})} />, {
			exitOnCtrlC: false,
			// Held-down keys redraw at up to 60 frames a second (ink's default is 30).
			maxFps: 60,
			onRender: () => {
				const now = performance.now();
				firstFrame ??= now;
				if (keyAt !== undefined) keyToFrame.push(now - keyAt);
				keyAt = undefined;
			},
		});
		void capture?.start();
		await instance.waitUntilExit();
	} finally {
		capture?.close();
		guard.restore();
		guard.dispose();
	}
	if (options.debug && firstFrame !== undefined) {
		const sorted = [...keyToFrame].sort((a, b) => a - b);
		const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(1);
		process.stderr.write(`netsleuth: first frame ${firstFrame.toFixed(0)} ms after start${sorted.length ? `; key → frame over ${sorted.length} keys: median ${at(0.5)} ms, p95 ${at(0.95)} ms, max ${at(1)} ms` : ''}\n`);
	}
	return 0;
}
