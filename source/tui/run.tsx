import { type Instance, render, Text } from 'ink';
import type { ResolvedSource, SourceFlags } from '../commands/sources.js';
import { CaptureInputError } from '../capture/frame.js';
import { InputError } from '../host/model.js';
import { App, type TuiHost } from './App.js';
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

const ENDING_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** The frame shown while the host is read (a 150,000-line ruleset takes a moment): the title line of the header. */
function Reading({ colour }: { colour: boolean }) {
	return <Text bold wrap="truncate-end" {...(colour ? { color: 'cyan' } : {})}> netsleuth │ reading the host…</Text>;
}

/**
 * The interactive TUI (loaded by cli.ts only when stdin and stdout are terminals). Owns the alternate
 * screen until q: its first frame (the header) comes before the host is read, then the host is shown.
 * A host that cannot be read gives the terminal back, and the error is told in the shell.
 */
export async function runTui(options: TuiOptions, readHost: () => Promise<ResolvedSource>): Promise<number> {
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
	let hostShown: number | undefined;
	let keyAt: number | undefined;
	const keyToFrame: number[] = [];
	let host: TuiHost | undefined;
	// A signal ends ink before the guard (listening after this) gives the terminal back: a frame ink still
	// has to draw (a rerender is drawn a moment later) goes to the alternate screen, not to the shell's.
	let instance: Instance | undefined;
	const endInk = () => instance?.unmount();
	for (const signal of ENDING_SIGNALS) process.on(signal, endInk);
	guard.enter();
	// Keys typed while the host is read wait in the terminal, unechoed, for the App to read them.
	if (process.stdin.isTTY) process.stdin.setRawMode(true);
	try {
		instance = render(<Reading colour={colour} />, {
			exitOnCtrlC: false,
			// Held-down keys redraw at up to 60 frames a second (ink's default is 30).
			maxFps: 60,
			onRender: () => {
				const now = performance.now();
				firstFrame ??= now;
				if (host) hostShown ??= now;
				if (keyAt !== undefined) keyToFrame.push(now - keyAt);
				keyAt = undefined;
			},
		});
		// Let the first frame reach the terminal before reading the host holds the event loop.
		await new Promise((done) => setTimeout(done, 0));
		try {
			host = tuiHost(await readHost());
		} catch (error) {
			instance.unmount();
			throw error;
		}
		instance.rerender(<App host={host} colour={colour} onKey={() => (keyAt = performance.now())} {...(capture ? { capture, initial: { view: 'capture' as const } } : {})} />);
		void capture?.start();
		await instance.waitUntilExit();
	} finally {
		for (const signal of ENDING_SIGNALS) process.off(signal, endInk);
		capture?.close();
		guard.restore();
		guard.dispose();
	}
	if (options.debug && firstFrame !== undefined) {
		const sorted = [...keyToFrame].sort((a, b) => a - b);
		const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(1);
		process.stderr.write(`netsleuth: first frame ${firstFrame.toFixed(0)} ms after start, the host shown at ${hostShown?.toFixed(0) ?? '-'} ms${sorted.length ? `; key → frame over ${sorted.length} keys: median ${at(0.5)} ms, p95 ${at(0.95)} ms, max ${at(1)} ms` : ''}\n`);
	}
	return 0;
}
