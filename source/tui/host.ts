import { linkModelOf } from '../commands/show.js';
import type { ResolvedSource } from '../commands/sources.js';
import type { TuiHost } from './App.js';

/** The TUI's view of a resolved source: the model, its label and warnings, and the links model when there is one. */
export function tuiHost(resolved: ResolvedSource): TuiHost {
	try {
		return { model: resolved.model, label: resolved.label, warnings: resolved.warnings, links: linkModelOf(resolved) };
	} catch (error) {
		return { model: resolved.model, label: resolved.label, warnings: resolved.warnings, linksProblem: (error as Error).message };
	}
}
