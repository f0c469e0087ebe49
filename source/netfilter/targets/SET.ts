import { formatIp } from '../../packet/address.js';
import { hasPorts, type Packet, protocolName } from '../../packet/packet.js';
import type { EvalEnv, OptionUse, ParseContext, TargetExtension } from '../extension.js';
import { flag, targetOptions } from './target-options.js';

export interface SetRef {
	readonly name: string;
	/** 'src' or 'dst' per dimension of the set, as written: "src,dst". */
	readonly flags: readonly ('src' | 'dst')[];
}

export interface SetOptions {
	readonly add?: SetRef;
	readonly del?: SetRef;
	readonly map?: SetRef;
	readonly exist: boolean;
	readonly timeout?: number;
	readonly mapMark: boolean;
	readonly mapPrio: boolean;
	readonly mapQueue: boolean;
}

const OPTIONS = ['--add-set', '--del-set', '--map-set', '--exist', '--timeout', '--map-mark', '--map-prio', '--map-queue'];

function setRef(ctx: ParseContext, use: OptionUse | undefined): SetRef | undefined {
	if (!use) return undefined;
	if (use.args.length !== 2) ctx.fail(use.token, `${use.name} expects two values: a set name and src/dst flags`);
	const name = use.args[0]!;
	const flags = use.args[1]!;
	const list = flags.text.split(',');
	if (list.some((f) => f !== 'src' && f !== 'dst')) ctx.fail(flags, `expected a comma-separated list of src and dst, got "${flags.text}"`);
	if (list.length > 6) ctx.fail(flags, 'at most 6 src/dst flags');
	return { name: name.text, flags: list as ('src' | 'dst')[] };
}

/** The value of one dimension of a set element, taken from the packet as ipset does. */
function dimension(kind: string, side: 'src' | 'dst', packet: Packet): string {
	switch (kind) {
		case 'ip': case 'net': return formatIp(side === 'src' ? packet.src : packet.dst);
		case 'port': {
			const port = side === 'src' ? packet.sport : packet.dport;
			return hasPorts(packet) && port !== undefined ? `${protocolName(packet.proto)}:${port}` : `${protocolName(packet.proto)}:0`;
		}
		case 'mac': return (side === 'src' ? packet.srcMac : packet.dstMac) ?? `${side} MAC (unknown)`;
		case 'iface': return (side === 'src' ? packet.in : packet.out) ?? `${side === 'src' ? 'input' : 'output'} interface (none)`;
		case 'mark': return `0x${packet.mark.toString(16)}`;
		default: return side === 'src' ? formatIp(packet.src) : formatIp(packet.dst);
	}
}

/** The element the packet gives for a set, e.g. "10.0.0.1,tcp:80" for hash:ip,port with src,dst. */
export function setElement(ref: SetRef, packet: Packet, env: EvalEnv): string {
	const type = env.host.ipsets.get(ref.name)?.type;
	const kinds = type?.split(':')[1]?.split(',') ?? ref.flags.map(() => 'ip');
	return kinds.map((kind, i) => dimension(kind, ref.flags[i] ?? 'src', packet)).join(',');
}

/**
 * SET adds the packet's addresses/ports to an ipset, or deletes them, and lets the packet go on. Sets change
 * while packets pass: later rules (and later packets) see the change, which netsleuth does not carry over
 * — stated as an assumption. --map-set copies mark, priority or queue from the matching entry's skbinfo.
 */
export const SET: TargetExtension<SetOptions> = {
	name: 'SET',
	reads: {},
	parse(uses, ctx) {
		const options = targetOptions(uses, ctx, 'SET', OPTIONS);
		const add = setRef(ctx, options.get('--add-set'));
		const del = setRef(ctx, options.get('--del-set'));
		const map = setRef(ctx, options.get('--map-set'));
		if (!add && !del && !map) ctx.fail(ctx.anchor, 'SET needs --add-set, --del-set or --map-set');
		for (const name of ['--exist', '--timeout']) {
			const use = options.get(name);
			if (use && !add) ctx.fail(use.token, `${name} can be used with --add-set only`);
		}
		for (const name of ['--map-mark', '--map-prio', '--map-queue']) {
			const use = options.get(name);
			if (use && !map) ctx.fail(use.token, `${name} can be used with --map-set only`);
		}
		const timeoutUse = options.get('--timeout');
		const timeout = timeoutUse ? ctx.integer(ctx.arg(timeoutUse, 'seconds'), 'timeout', 0, 0xffffffff) : undefined;
		if (map && ctx.table !== 'mangle') ctx.fail(options.get('--map-set')!.token, '--map-set is only valid in the mangle table');
		return {
			...(add ? { add } : {}),
			...(del ? { del } : {}),
			...(map ? { map } : {}),
			exist: flag(ctx, options, '--exist'),
			...(timeout !== undefined ? { timeout } : {}),
			mapMark: flag(ctx, options, '--map-mark'),
			mapPrio: flag(ctx, options, '--map-prio'),
			mapQueue: flag(ctx, options, '--map-queue'),
		};
	},
	apply(o, packet, env) {
		const known = (ref: SetRef) => (env.host.ipsets.has(ref.name) ? '' : ` (set ${ref.name} is not in the host state)`);
		if (o.add) {
			const timeout = o.timeout !== undefined ? ` with timeout ${o.timeout}s` : '';
			env.assume(`SET adds ${setElement(o.add, packet, env)} to set ${o.add.name}${timeout}${known(o.add)} at run time; netsleuth keeps evaluating the sets as they were saved`);
		}
		if (o.del) env.assume(`SET deletes ${setElement(o.del, packet, env)} from set ${o.del.name}${known(o.del)} at run time; netsleuth keeps evaluating the sets as they were saved`);
		if (o.map) {
			const what = [o.mapMark ? 'mark' : '', o.mapPrio ? 'priority' : '', o.mapQueue ? 'hardware queue' : ''].filter(Boolean).join(', ') || 'nothing';
			env.assume(`SET --map-set ${o.map.name}: if ${setElement(o.map, packet, env)} is in the set, the packet takes ${what} from that entry's skbinfo, which netsleuth does not know: left unchanged`);
		}
		return { kind: 'continue' };
	},
};
