import { renderShow } from '../commands/show.js';
import { resolveSource, type SourceFlags } from '../commands/sources.js';

export interface OverviewArgs {
	readonly source: SourceFlags;
	readonly readStdin: () => Promise<string>;
	readonly warn: (line: string) => void;
}

/**
 * `netsleuth` when it is not talking to a terminal (a pipe, a script, `watch`): the `show` tables of
 * rules, routes and interfaces, then exit. Never loads ink or React.
 */
export async function runOverview(args: OverviewArgs): Promise<string> {
	const host = await resolveSource(args.source, args.readStdin);
	for (const warning of host.warnings) args.warn(warning);
	const parts = [renderShow('rules', host, false), renderShow('routes', host, false)];
	if (host.raw.links !== undefined || host.raw.addresses !== undefined) {
		try {
			parts.push(renderShow('links', host, false));
		} catch (error) {
			args.warn((error as Error).message);
		}
	}
	return parts.join('\n\n');
}
