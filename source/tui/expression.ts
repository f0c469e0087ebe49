import { parseFilter } from '../capture/filter.js';
import { formatIp, parseIp } from '../packet/address.js';
import { describePacket, formatTcpFlags, type Packet, protocolName } from '../packet/packet.js';
import { packetFromSpec, parseExpression } from '../packet/spec.js';
import type { RouteQuery } from '../routing/lookup.js';
import type { Trace } from '../trace/model.js';
import { type HostModel, tracePacket } from '../trace/pipeline.js';
import { safeText } from '../views/safe-text.js';

/** The inline validation of the packet line: the packet it describes, or what is wrong, as the user types. */
export type ExpressionCheck =
	| { readonly ok: true; readonly packet: Packet; readonly description: string; readonly warning?: string }
	| { readonly ok: false; readonly empty: boolean; readonly error: string };

export const EXPRESSION_HINT = 'type a packet: tcp 10.2.67.113:51000 > 10.0.0.1:22 in eth0 (also out IF, mark N, state S, flags F, type T, mac M, local)';

export function words(text: string): string[] {
	return text.trim().split(/\s+/).filter(Boolean);
}

/** Parses and builds the packet; `interfaces` (when known) turns an unknown interface name into a warning. */
export function checkExpression(text: string, interfaces?: ReadonlySet<string>): ExpressionCheck {
	const list = words(text);
	if (list.length === 0) return { ok: false, empty: true, error: EXPRESSION_HINT };
	try {
		const packet = packetFromSpec(parseExpression(list));
		const unknown = interfaces && interfaces.size > 0 ? [packet.in, packet.out].filter((name): name is string => name !== undefined && !interfaces.has(name)) : [];
		const where = `${packet.local ? 'local' : packet.in ? `in ${packet.in}` : 'in (by the route back)'}${packet.out ? ` out ${packet.out}` : ''}`;
		return {
			ok: true,
			packet,
			description: safeText(`${describePacket(packet)} ${packet.ctState} ${where}`),
			...(unknown.length ? { warning: safeText(`this host has no interface ${unknown.join(' or ')}`) } : {}),
		};
	} catch (error) {
		return { ok: false, empty: false, error: safeText((error as Error).message) };
	}
}

/**
 * A packet as an expression the line reads back (the captured packet's fields the expression can say:
 * protocol, addresses, ports, interfaces, MACs, ICMP type, TCP flags, mark), so that it can be edited.
 */
export function expressionOf(packet: Packet): string {
	const at = (ip: Packet['src'], port: number | undefined) => (port === undefined ? formatIp(ip) : packet.family === 6 ? `[${formatIp(ip)}]:${port}` : `${formatIp(ip)}:${port}`);
	let text = `${protocolName(packet.proto)} ${at(packet.src, packet.sport)} > ${at(packet.dst, packet.dport)}`;
	if (packet.local) text += ' local';
	if (packet.in) text += ` in ${packet.in}`;
	if (packet.out) text += ` out ${packet.out}`;
	if (packet.srcMac) text += ` mac ${packet.srcMac}`;
	if (packet.dstMac) text += ` dmac ${packet.dstMac}`;
	if (packet.icmpType !== undefined) text += ` type ${packet.icmpType}/${packet.icmpCode ?? 0}`;
	if (packet.tcpFlags !== undefined) text += ` flags ${formatTcpFlags(packet.tcpFlags)}`;
	if (packet.mark) text += ` mark 0x${packet.mark.toString(16)}`;
	return safeText(text);
}

export type TraceOutcome =
	| { readonly trace: Trace; readonly milliseconds: number }
	| { readonly error: string };

/** Traces the committed expression (the App memoises this on the host and the text). */
export function traceExpression(model: HostModel, text: string): TraceOutcome {
	const check = checkExpression(text);
	if (!check.ok) return { error: check.error };
	const started = performance.now();
	try {
		const trace = tracePacket(model, check.packet);
		return { trace, milliseconds: performance.now() - started };
	} catch (error) {
		return { error: safeText(`the trace failed: ${(error as Error).message}`) };
	}
}

export const ROUTE_HINT = 'route get DST [from SRC] [iif IF] [oif IF] [mark N] [tos N]';

export type RouteQueryCheck =
	| { readonly ok: true; readonly query: RouteQuery }
	| { readonly ok: false; readonly empty: boolean; readonly error: string };

function number(text: string | undefined, what: string): number {
	if (text === undefined) throw new Error(`${what} needs a value`);
	const value = /^0x[0-9a-f]+$/i.test(text) ? parseInt(text, 16) : /^\d+$/.test(text) ? Number(text) : NaN;
	if (!Number.isFinite(value) || value > 0xffffffff) throw new Error(`${what} must be a number, got "${text}"`);
	return value;
}

/** `10.0.0.1 from 10.2.67.113 iif eth0 mark 0x1`, as `ip route get` takes it (a leading "--" on keywords is fine). */
export function checkRouteQuery(text: string): RouteQueryCheck {
	const list = words(text);
	if (list[0] === 'route' && list[1] === 'get') list.splice(0, 2);
	if (list.length === 0) return { ok: false, empty: true, error: ROUTE_HINT };
	try {
		const dst = parseIp(list[0]!);
		if (!dst) throw new Error(`"${list[0]}" is not an IP address`);
		const query: RouteQuery = { family: dst.family, dst };
		for (let i = 1; i < list.length; i += 2) {
			const keyword = list[i]!.replace(/^--/, '');
			const value = list[i + 1];
			switch (keyword) {
				case 'from': {
					const src = value === undefined ? undefined : parseIp(value);
					if (!src) throw new Error(`from needs an IP address${value ? `, got "${value}"` : ''}`);
					if (src.family !== dst.family) throw new Error('from and the destination must be of one family');
					query.src = src;
					break;
				}
				case 'iif': if (value === undefined) throw new Error('iif needs an interface'); query.iif = value; break;
				case 'oif': if (value === undefined) throw new Error('oif needs an interface'); query.oif = value; break;
				case 'mark': query.mark = number(value, 'mark'); break;
				case 'tos': query.tos = number(value, 'tos'); break;
				default: throw new Error(`unknown word "${keyword}" (expected from, iif, oif, mark or tos)`);
			}
		}
		return { ok: true, query };
	} catch (error) {
		return { ok: false, empty: false, error: safeText((error as Error).message) };
	}
}

/** The capture filter line's check: undefined when the filter reads, else where it goes wrong (without the CLI's "--filter: "). */
export function filterError(text: string): string | undefined {
	try {
		parseFilter(text);
		return undefined;
	} catch (error) {
		return safeText((error as Error).message.replace(/^--filter: /, ''));
	}
}
