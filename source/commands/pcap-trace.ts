import { Replayer } from '../capture/replay.js';
import { resolveSource, type SourceFlags } from './sources.js';

export interface PcapTraceArgs {
	readonly source: SourceFlags;
	/** --in: the arrival interface of every packet. */
	readonly in: string | undefined;
	/** --hits: each result carries its trace's hits. */
	readonly hits: boolean;
	readonly readStdin: () => Promise<string>;
	readonly warn: (line: string) => void;
}

/** `pcap --trace [source]`: the host the capture is replayed against, read as `trace` reads it. */
export async function createReplayer(args: PcapTraceArgs): Promise<Replayer> {
	const host = await resolveSource(args.source, args.readStdin);
	for (const warning of host.warnings) args.warn(warning);
	return new Replayer(host.model, { ...(args.in !== undefined ? { in: args.in } : {}), hits: args.hits });
}
