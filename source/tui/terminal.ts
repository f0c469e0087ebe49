/**
 * The terminal around the TUI: the alternate screen on the way in, and the screen, cursor and keyboard
 * given back on every way out — quitting, Ctrl-C, a signal, a crash. Injected I/O so tests can watch it.
 */

/** Enter the alternate screen, cursor home, clear it. */
export const ENTER = '\x1b[?1049h\x1b[H\x1b[2J';
/** Reset attributes, show the cursor, leave the alternate screen (the shell's screen comes back as it was). */
export const LEAVE = '\x1b[0m\x1b[?25h\x1b[?1049l';

export interface TerminalIo {
	write(text: string): void;
	/** Puts the keyboard back in cooked mode (ink leaves it raw if it never unmounted). */
	cookedMode?(): void;
}

type Listener = (...args: unknown[]) => void;

export interface ProcessLike {
	on(event: string, listener: Listener): unknown;
	off(event: string, listener: Listener): unknown;
	exit(code?: number): never | void;
}

const SIGNALS: Readonly<Record<string, number>> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

export interface Guard {
	enter(): void;
	/** Gives the terminal back; safe to call more than once. */
	restore(): void;
	/** Removes the process listeners (after restore, when the TUI ended normally). */
	dispose(): void;
}

export function guardTerminal(io: TerminalIo, proc: ProcessLike, report: (message: string) => void): Guard {
	let active = false;
	const restore = () => {
		if (!active) return;
		active = false;
		try {
			io.cookedMode?.();
		} finally {
			io.write(LEAVE);
		}
	};
	const listeners: [string, Listener][] = [
		['exit', () => restore()],
		...Object.entries(SIGNALS).map(([signal, code]): [string, Listener] => [signal, () => {
			restore();
			proc.exit(code);
		}]),
		...['uncaughtException', 'unhandledRejection'].map((event): [string, Listener] => [event, (error: unknown) => {
			restore();
			report(`netsleuth: internal error: ${error instanceof Error ? error.message : String(error)}`);
			proc.exit(1);
		}]),
	];
	return {
		enter() {
			if (active) return;
			active = true;
			for (const [event, listener] of listeners) proc.on(event, listener);
			io.write(ENTER);
		},
		restore,
		dispose() {
			for (const [event, listener] of listeners) proc.off(event, listener);
		},
	};
}
