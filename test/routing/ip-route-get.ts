// Translation between `ip route get` (arguments and `ip -d -j` answers) and lookupRoute, shared by the
// fixture tests and the kernel differential test. Not a test file itself.
import { parseIp, type Ip } from '../../source/packet/address.js';
import { ROUTE_ERROR_TEXT, type RouteDecision, type RouteQuery } from '../../source/routing/lookup.js';
import { PROTOCOL_NUMBERS, canonicalTable, type Family } from '../../source/routing/routes.js';

/** One recorded query: the kernel's answer (`ip -d -j route get` JSON) or its error message. */
export interface RouteGetRecord {
	family: Family;
	args: string[];
	answer?: Record<string, unknown>;
	error?: string;
}

function ip(text: string | undefined): Ip {
	const parsed = text === undefined ? undefined : parseIp(text);
	if (!parsed) throw new Error(`bad address ${text}`);
	return parsed;
}

/** `DST [from SRC] [iif IF] [oif IF] [mark N] [tos N] [ipproto P] [sport N] [dport N] [uid N]` → RouteQuery. */
export function queryFromArgs(family: Family, args: string[]): RouteQuery {
	const query: RouteQuery = { family, dst: ip(args[0]) };
	for (let i = 1; i < args.length; i += 2) {
		const value = args[i + 1]!;
		switch (args[i]) {
			case 'from': query.src = ip(value); break;
			case 'iif': query.iif = value; break;
			case 'oif': query.oif = value; break;
			case 'mark': query.mark = Number(value); break;
			case 'tos': query.tos = Number(value); break;
			case 'ipproto': query.proto = PROTOCOL_NUMBERS[value] ?? Number(value); break;
			case 'sport': query.sport = Number(value); break;
			case 'dport': query.dport = Number(value); break;
			case 'uid': query.uid = Number(value); break;
			default: throw new Error(`unknown route get argument ${args[i]}`);
		}
	}
	return query;
}

export interface Comparable {
	type: string;
	dev: string | null;
	gateway: string | null;
	prefsrc: string | null;
	table: string | null;
}

/** The fields compared with the kernel, from `ip -d -j route get` (absent fields are null). */
export function kernelView(answer: Record<string, unknown>): Comparable {
	const via = answer['via'] as { host?: string } | undefined;
	const table = answer['table'] as string | undefined;
	return {
		type: (answer['type'] as string | undefined) ?? 'unicast',
		dev: (answer['dev'] as string | undefined) ?? null,
		gateway: (answer['gateway'] as string | undefined) ?? via?.host ?? null,
		prefsrc: (answer['prefsrc'] as string | undefined) ?? null,
		table: table === undefined || table === 'unspec' ? null : canonicalTable(table),
	};
}

/** How the decision differs from the kernel's answer, or undefined when they agree. */
export function disagreement(decision: RouteDecision, record: RouteGetRecord): string | undefined {
	if (record.error !== undefined) {
		const ours = decision.error ? ROUTE_ERROR_TEXT[decision.error] : undefined;
		return ours === record.error ? undefined : `kernel: error "${record.error}"; netsleuth: ${ours ? `error "${ours}"` : JSON.stringify(ours ?? view(decision))}`;
	}
	const kernel = kernelView(record.answer!);
	if (decision.error) return `kernel: ${JSON.stringify(kernel)}; netsleuth: error "${ROUTE_ERROR_TEXT[decision.error]}"`;
	// Multipath: the kernel hashes the flow onto one nexthop; any of ours is acceptable.
	const options = (decision.nexthops ?? [decision]).map((hop) => ({ ...view(decision), dev: hop.dev, gateway: hop.gateway, prefsrc: hop.prefsrc }));
	const same = options.some((o) => JSON.stringify(o) === JSON.stringify(kernel));
	return same ? undefined : `kernel: ${JSON.stringify(kernel)}; netsleuth: ${options.map((o) => JSON.stringify(o)).join(' | ')}`;
}

function view(d: RouteDecision): Comparable {
	return { type: d.type, dev: d.dev, gateway: d.gateway, prefsrc: d.prefsrc, table: d.table };
}
