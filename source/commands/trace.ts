import { type PacketSpec, packetFromSpec, parseExpression } from '../packet/spec.js';
import { formatTrace } from '../trace/format.js';
import { tracePacket } from '../trace/pipeline.js';
import { COLOR, PLAIN } from '../views/style.js';
import { resolveSource, type SourceFlags } from './sources.js';

export class TraceUsageError extends Error {}

export interface TraceArgs {
	readonly words: readonly string[];
	readonly flags: Record<string, unknown>;
	readonly source: SourceFlags;
	readonly json: boolean;
	readonly verbose: boolean;
	readonly colour: boolean;
	readonly readStdin: () => Promise<string>;
	readonly warn: (line: string) => void;
}

const PACKET_FLAGS = ['proto', 'src', 'dst', 'sport', 'dport', 'in', 'out', 'srcMac', 'dstMac', 'icmpType', 'tcpFlags', 'mark', 'state'] as const;

/** The packet from flags, or from the words of an expression (not both). */
export function specFromArgs(words: readonly string[], flags: Record<string, unknown>): PacketSpec {
	const spec: PacketSpec = {};
	for (const key of PACKET_FLAGS) if (typeof flags[key] === 'string') spec[key] = flags[key] as string;
	if (flags.local === true) spec.local = true;
	if (words.length === 0) {
		if (spec.src === undefined && spec.dst === undefined) throw new TraceUsageError('describe the packet: an expression such as tcp 10.0.0.5:40000 ">" 10.0.0.1:22 in eth0, or --src/--dst/--in flags');
		return spec;
	}
	if (spec.src !== undefined || spec.dst !== undefined) throw new TraceUsageError('give the packet either as an expression or with --src/--dst, not both');
	return { ...spec, ...parseExpression(words) };
}

export async function runTrace(args: TraceArgs): Promise<string> {
	const spec = specFromArgs(args.words, args.flags);
	const packet = packetFromSpec(spec);
	const host = await resolveSource(args.source, args.readStdin);
	for (const warning of host.warnings) args.warn(warning);
	const trace = tracePacket(host.model, packet);
	if (args.json) return JSON.stringify(trace, null, 2);
	return formatTrace(trace, { style: args.colour ? COLOR : PLAIN, verbose: args.verbose });
}
