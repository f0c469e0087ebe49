import { spawnSync } from 'node:child_process';

export const haveTmux = spawnSync('tmux', ['-V']).status === 0;

/**
 * A tmux client on its own server (socket `socket`, no config): runs tmux with these arguments and returns
 * its output, throwing on failure. Ink renders nothing while it believes it runs in CI, so CI's variables
 * are taken out of the terminal's environment.
 */
export function tmuxOn(socket: string): (...args: string[]) => string {
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
