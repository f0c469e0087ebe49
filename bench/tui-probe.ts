/**
 * Drives the TUI in a tmux pane, as a person at a terminal would, for the benchmark's TUI cases: the time
 * from starting netsleuth to its first frame on the pane, and (with `scroll`) the time from each key to
 * the frame that shows it while scrolling the Rules view, as the TUI reports them with --debug.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';

export interface TuiSample {
	/** From spawning netsleuth to its first frame (the title line) seen on the pane, polled every 10 ms. */
	readonly paneMs: number;
	/** From spawning netsleuth to the host shown (the header with the rule count) on the pane. */
	readonly hostPaneMs: number;
	/** The TUI's own figures (--debug): its first frame and the host shown, in ms after node started. */
	readonly firstFrameMs: number;
	readonly hostShownMs: number;
	readonly keys?: { readonly count: number; readonly median: number; readonly p95: number; readonly max: number };
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
const tmux = (...args: string[]) => spawnSync('tmux', args, { encoding: 'utf8' });
const pane = (session: string) => tmux('capture-pane', '-p', '-t', session).stdout ?? '';
const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;

/** Polls the pane until `seen` says so; the time waited, or throws after `limitMs`. */
function waitFor(session: string, seen: (text: string) => boolean, limitMs: number): number {
	const t0 = performance.now();
	while (!seen(pane(session))) {
		if (performance.now() - t0 > limitMs) throw new Error(`tmux pane ${session}: not seen within ${limitMs} ms:\n${pane(session)}`);
		sleep(10);
	}
	return performance.now() - t0;
}

let runs = 0;

export function tuiRun(node: string, cli: string, rulesFile: string, errFile: string, scroll = 0): TuiSample {
	const session = `nsbench-tui-${process.pid}-${runs++}`;
	rmSync(errFile, { force: true });
	const command = `${quote(node)} ${quote(cli)} --rules ${quote(rulesFile)} --debug 2>${quote(errFile)}`;
	const t0 = performance.now();
	const made = tmux('new-session', '-d', '-s', session, '-x', '160', '-y', '45', command);
	if (made.status !== 0) throw new Error(`tmux new-session: ${made.stderr}`);
	try {
		waitFor(session, (text) => /netsleuth │/.test(text), 60_000);
		const paneMs = performance.now() - t0;
		waitFor(session, (text) => / rules · /.test(text), 60_000);
		const hostPaneMs = performance.now() - t0;
		if (scroll > 0) {
			// Leave the packet line, open Rules, then one Down key every 40 ms.
			tmux('send-keys', '-t', session, 'Escape');
			sleep(100);
			tmux('send-keys', '-t', session, '2');
			waitFor(session, (text) => /Chain \S+ \(/.test(text), 10_000);
			for (let k = 0; k < scroll; k++) {
				tmux('send-keys', '-t', session, 'Down');
				sleep(40);
			}
			sleep(300);
		}
		tmux('send-keys', '-t', session, 'C-c');
		const t1 = performance.now();
		while (tmux('has-session', '-t', session).status === 0 && performance.now() - t1 < 10_000) sleep(20);
		const report = readFileSync(errFile, 'utf8');
		const first = /first frame (\d+) ms after start, the host shown at (\d+) ms/.exec(report);
		if (!first) throw new Error(`no first-frame report from the TUI:\n${report}`);
		const keys = /over (\d+) keys: median ([\d.]+) ms, p95 ([\d.]+) ms, max ([\d.]+) ms/.exec(report);
		return {
			paneMs,
			hostPaneMs,
			firstFrameMs: Number(first[1]),
			hostShownMs: Number(first[2]),
			...(keys ? { keys: { count: Number(keys[1]), median: Number(keys[2]), p95: Number(keys[3]), max: Number(keys[4]) } } : {}),
		};
	} finally {
		tmux('kill-session', '-t', session);
	}
}

export interface ReplaySample {
	/** Packets replayed a second in the Capture view, from the packets per fate on its filter line. */
	readonly packetsPerSecond: number;
	readonly keys: { readonly count: number; readonly median: number; readonly p95: number; readonly max: number };
}

/** Packets replayed so far, summed from the filter line ("replaying 12%: 1,234 dropped, 56 delivered"). */
function replayedOnPane(text: string): number {
	const fates = /replay(?:ing \d+%|ed): ([^\n⚠]*)/.exec(text)?.[1] ?? '';
	let sum = 0;
	for (const m of fates.matchAll(/([\d,]+) [a-z]+/g)) sum += Number(m[1]!.replace(/,/g, ''));
	return sum;
}

/**
 * The Capture view during a replay: opens the capture against `source`, waits for the index, presses r,
 * (unless `replay` is false: the same keys without a replay, for comparison) then (after a second) one Down key every 40 ms for `keys` keys while the replay runs; the packets
 * replayed a second (from the pane, over the keys' time) and the TUI's key → frame figures (--debug).
 */
export function tuiReplayRun(node: string, cli: string, capture: string, source: string[], errFile: string, keys = 150, replay = true): ReplaySample {
	const session = `nsbench-replay-${process.pid}-${runs++}`;
	rmSync(errFile, { force: true });
	const command = `${quote(node)} ${quote(cli)} --pcap ${quote(capture)} ${source.map(quote).join(' ')} --debug 2>${quote(errFile)}`;
	const made = tmux('new-session', '-d', '-s', session, '-x', '160', '-y', '45', command);
	if (made.status !== 0) throw new Error(`tmux new-session: ${made.stderr}`);
	try {
		waitFor(session, (text) => /Filter ▸ .*· [\d,]+ packets(?! ·)/.test(text), 120_000);
		if (replay) {
			tmux('send-keys', '-t', session, 'r');
			waitFor(session, (text) => replayedOnPane(text) > 0, 60_000);
		}
		sleep(1000);
		const t0 = performance.now();
		const before = replayedOnPane(pane(session));
		for (let k = 0; k < keys; k++) {
			tmux('send-keys', '-t', session, 'Down');
			sleep(40);
		}
		sleep(300);
		const packetsPerSecond = (replayedOnPane(pane(session)) - before) / ((performance.now() - t0) / 1000);
		tmux('send-keys', '-t', session, 'C-c');
		const t1 = performance.now();
		while (tmux('has-session', '-t', session).status === 0 && performance.now() - t1 < 10_000) sleep(20);
		const report = readFileSync(errFile, 'utf8');
		const m = /over (\d+) keys: median ([\d.]+) ms, p95 ([\d.]+) ms, max ([\d.]+) ms/.exec(report);
		if (!m) throw new Error(`no key → frame report from the TUI:\n${report}`);
		return { packetsPerSecond, keys: { count: Number(m[1]), median: Number(m[2]), p95: Number(m[3]), max: Number(m[4]) } };
	} finally {
		tmux('kill-session', '-t', session);
	}
}
