import { statSync } from 'node:fs';
import { resolveSource } from '../commands/sources.js';
import type { TuiOptions } from './run.js';

export type { TuiOptions } from './run.js';

/**
 * The TUI as `npm run build` bundles it (bin/bundle-tui.mjs): one file instead of the hundreds ink and
 * React are made of. The bundle is used when it is newer than tsc's run.js (tsc rewrites every file it
 * emits), so a tree compiled by tsc alone runs its own TUI code, unbundled, never a stale bundle.
 */
const BUNDLE = new URL('./run.bundle.js', import.meta.url);

/** The bundle exists and is newer than tsc's run.js: it holds this tree's TUI code. */
export function bundleIsFresh(): boolean {
	try {
		return statSync(BUNDLE).mtimeMs >= statSync(new URL('./run.js', import.meta.url)).mtimeMs;
	} catch {
		return false;
	}
}

function uiModule(): string {
	return bundleIsFresh() ? BUNDLE.href : './run.js';
}

/**
 * The TUI's entry (cli.ts imports this only when both ends are terminals). React picks its development
 * or production build when it is first loaded, from NODE_ENV; the development build checks and warns
 * on every render and is several times slower, so unless told otherwise the TUI runs the production one.
 * The TUI draws its first frame, then reads the host.
 */
export async function runTui(options: TuiOptions): Promise<number> {
	process.env.NODE_ENV ??= 'production';
	const { runTui: run } = (await import(uiModule())) as typeof import('./run.js');
	return run(options, () => resolveSource(options.source, options.readStdin));
}
