import { resolveSource } from '../commands/sources.js';
import type { TuiOptions } from './run.js';

export type { TuiOptions } from './run.js';

/**
 * The TUI's entry (cli.ts imports this only when both ends are terminals). React picks its development
 * or production build when it is first loaded, from NODE_ENV; the development build checks and warns
 * on every render and is several times slower, so unless told otherwise the TUI runs the production one.
 * Ink and React load while the host is being read.
 */
export async function runTui(options: TuiOptions): Promise<number> {
	process.env.NODE_ENV ??= 'production';
	const ui = import('./run.js');
	ui.catch(() => undefined);
	const resolved = await resolveSource(options.source, options.readStdin);
	const { runTui: run } = await ui;
	return run(options, resolved);
}
