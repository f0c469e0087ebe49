import type { Packet } from '../packet/packet.js';
import { type PacketSpec, packetFromSpec, parseExpression } from '../packet/spec.js';
import { InputError } from '../host/model.js';
import { formatTrace } from '../trace/format.js';
import { type HostModel, tracePacket } from '../trace/pipeline.js';
import { COLOR, PLAIN } from '../views/style.js';
import { resolveSource, type SourceFlags } from './sources.js';
import { quoted } from '../views/safe-text.js';
import { setChainIndex } from '../netfilter/walk.js';

// The benchmark times rule-by-rule walks against the chain index; the engine itself reads no environment.
if (process.env.NETSLEUTH_CHAIN_INDEX === '0') setChainIndex(false);

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

/** `--pcap FILE --packet N`: N, checked. */
function capturedNumber(flags: Record<string, unknown>, words: readonly string[]): number {
	if (words.length > 0 || flags.src !== undefined || flags.dst !== undefined) throw new TraceUsageError('give the packet either with --pcap FILE --packet N or by description, not both');
	const n = Number(flags.packet ?? '');
	if (!Number.isInteger(n) || n < 1) throw new TraceUsageError('--pcap needs --packet N (1-based)');
	return n;
}

/** `--pcap FILE --packet N`: the captured packet, with its arrival interface from --in, the capture (an SLL2 index named by the host's links), or (later) routing. */
async function capturedPacket(flags: Record<string, unknown>, n: number, host: HostModel): Promise<Packet> {
	const { packetAt } = await import('../capture/packet-at.js');
	const { linkInfoOf, toEnginePacket } = await import('../capture/to-packet.js');
	const { CaptureInputError } = await import('../capture/frame.js');
	const decoded = await packetAt(flags.pcap as string, n).catch((error: unknown) => {
		throw error instanceof CaptureInputError ? new InputError(error.message) : error;
	});
	const packet = toEnginePacket(decoded, linkInfoOf(host, typeof flags.in === 'string' ? flags.in : undefined));
	if (typeof flags.state === 'string') {
		const state = flags.state.toUpperCase();
		if (!['NEW', 'ESTABLISHED', 'RELATED', 'INVALID', 'UNTRACKED'].includes(state)) throw new TraceUsageError(`--state must be NEW, ESTABLISHED, RELATED, INVALID or UNTRACKED, got ${quoted(flags.state)}`);
		packet.ctState = state as Packet['ctState'];
		packet.ctStateGiven = true;
	}
	if (typeof flags.mark === 'string') packet.mark = Number(flags.mark) >>> 0;
	return packet;
}

export async function runTrace(args: TraceArgs): Promise<string> {
	// The packet's words are checked before the host is read (a usage error costs no collection); a captured
	// packet is made after, its interface index named by the host's links.
	const captured = typeof args.flags.pcap === 'string' ? capturedNumber(args.flags, args.words) : undefined;
	const typed = captured === undefined ? packetFromSpec(specFromArgs(args.words, args.flags)) : undefined;
	const host = await resolveSource(args.source, args.readStdin);
	for (const warning of host.warnings) args.warn(warning);
	const packet = typed ?? (await capturedPacket(args.flags, captured!, host.model));
	const trace = tracePacket(host.model, packet);
	if (args.json) return JSON.stringify(trace, null, 2);
	return formatTrace(trace, { style: args.colour ? COLOR : PLAIN, verbose: args.verbose });
}
