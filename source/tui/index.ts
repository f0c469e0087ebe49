import type { TuiOptions } from './run.js';

export type { TuiOptions } from './run.js';

/**
 * The TUI's entry (cli.ts imports this only when both ends are terminals). React picks its development
 * or production build when it is first loaded, from NODE_ENV; the development build checks and warns
 * on every render and is several times slower, so unless told otherwise the TUI runs the production one.
 */
export async function runTui(options: TuiOptions): Promise<number> {
	process.env.NODE_ENV ??= 'production';
	const { runTui: run } = await import('./run.js');
	return run(options);
}
