import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

export const haveTmux = spawnSync('tmux', ['-V']).status === 0;

/**
 * A tmux client on its own server (socket `socket`, no config): runs tmux with these arguments and returns
 * its output, throwing on failure. Ink renders nothing while it believes it runs in CI, so CI's variables
 * are taken out of the terminal's environment.
 */
function tmuxOn(socket: string): (...args: string[]) => string {
	const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color' };
	delete env.CI;
	delete env.CONTINUOUS_INTEGRATION;
	delete env.TMUX;
	return (...args) => {
		const result = spawnSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8', env });
		if (result.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${result.stderr}`);
		return result.stdout;
	};
}

/** Between keys: an Escape glued to the next key would be read as Alt-key. */
const KEY_GAP_MS = 150;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A person at a tmux pane: reads the screen, waits for what it should show, types. */
export interface TmuxPanes {
	readonly tmux: (...args: string[]) => string;
	screen(pane: string): string;
	/** The screen once `check` holds (polled); fails with the screen after `timeout` ms. */
	waitFor(pane: string, check: (text: string) => boolean, what: string, timeout?: number): Promise<string>;
	/** Keys one at a time (tmux key names: Enter, Escape, C-t, q). */
	send(pane: string, ...keys: string[]): Promise<void>;
	/** Text typed as it is (no key names). */
	type(pane: string, text: string): Promise<void>;
}

export function tmuxPanes(socket: string): TmuxPanes {
	const tmux = tmuxOn(socket);
	const screen = (pane: string) => tmux('capture-pane', '-p', '-t', pane);
	return {
		tmux,
		screen,
		async waitFor(pane, check, what, timeout = 15_000) {
			const until = Date.now() + timeout;
			for (;;) {
				const text = screen(pane);
				if (check(text)) return text;
				if (Date.now() > until) assert.fail(`timed out waiting for ${what}; the screen was:\n${text}`);
				await pause(50);
			}
		},
		async send(pane, ...keys) {
			for (const key of keys) {
				tmux('send-keys', '-t', pane, key);
				await pause(KEY_GAP_MS);
			}
		},
		async type(pane, text) {
			tmux('send-keys', '-t', pane, '-l', text);
			await pause(KEY_GAP_MS);
		},
	};
}
