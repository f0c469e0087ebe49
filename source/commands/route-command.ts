import { parseIp } from '../packet/address.js';
import { InputError } from '../host/model.js';
import { PacketSpecError } from '../packet/spec.js';
import { lookupRoute } from '../routing/lookup.js';
import { renderRouteGet } from './route.js';
import { resolveSource, type SourceFlags } from './sources.js';
import { quoted } from '../views/safe-text.js';

export interface RouteArgs {
	readonly dst: string;
	readonly flags: Record<string, unknown>;
	readonly source: SourceFlags;
	readonly json: boolean;
	readonly readStdin: () => Promise<string>;
	readonly warn: (line: string) => void;
}

function number(text: unknown, what: string): number | undefined {
	if (text === undefined) return undefined;
	const value = /^0x[0-9a-f]+$/i.test(String(text)) ? parseInt(String(text), 16) : /^\d+$/.test(String(text)) ? Number(text) : NaN;
	if (!Number.isFinite(value) || value > 0xffffffff) throw new PacketSpecError(`${what} must be a number, got ${quoted(String(text))}`);
	return value;
}

/** `netsleuth route get`: the same decision as `ip route get` on the same state. */
export async function runRoute(args: RouteArgs): Promise<string> {
	const dst = parseIp(args.dst) ?? (() => { throw new PacketSpecError(`${quoted(args.dst)} is not an IP address`); })();
	const from = typeof args.flags.from === 'string' ? parseIp(args.flags.from) : undefined;
	if (typeof args.flags.from === 'string' && !from) throw new PacketSpecError(`--from ${quoted(args.flags.from)} is not an IP address`);
	const host = await resolveSource(args.source, args.readStdin);
	for (const warning of host.warnings) args.warn(warning);
	if (!host.model.routing) throw new InputError('no routes to look up: give --routes (ip -j route show table all), --demo or a live host');
	const decision = lookupRoute(host.model.routing, {
		family: dst.family,
		dst,
		...(from ? { src: from } : {}),
		...(typeof args.flags.iif === 'string' ? { iif: args.flags.iif } : {}),
		...(typeof args.flags.oif === 'string' ? { oif: args.flags.oif } : {}),
		...(args.flags.mark !== undefined ? { mark: number(args.flags.mark, '--mark') } : {}),
		...(args.flags.tos !== undefined ? { tos: number(args.flags.tos, '--tos') } : {}),
	});
	return renderRouteGet(decision, args.json);
}
