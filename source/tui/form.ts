import { type PacketSpec, packetFromSpec, parseExpression } from '../packet/spec.js';
import { safeText } from '../views/safe-text.js';
import { checkExpression, type ExpressionCheck, words } from './expression.js';

/**
 * The packet form: one field for each thing the expression line can say. It edits the same expression
 * (the form writes it, and reads it back when it opens), so a packet traced from the form is the packet
 * the line would trace, and spec.ts validates both.
 */

export const FORM_FIELDS = ['proto', 'src', 'sport', 'in', 'dst', 'dport', 'out', 'mac', 'mark', 'type', 'flags', 'state'] as const;
export type FormField = (typeof FORM_FIELDS)[number];
export type FormValues = Readonly<Record<FormField, string>>;

export const FORM_LABELS: Readonly<Record<FormField, string>> = {
	proto: 'protocol', src: 'source', sport: 'src port', in: 'in', dst: 'destination', dport: 'dst port', out: 'out',
	mac: 'src MAC', mark: 'mark', type: 'ICMP type', flags: 'TCP flags', state: 'state',
};

/** What a field takes, shown while it is empty and focused. */
export const FORM_HINTS: Readonly<Record<FormField, string>> = {
	proto: 'tcp, udp, icmp, icmpv6 or a number', src: 'an IPv4 or IPv6 address', sport: '0-65535 (tcp/udp)',
	in: 'arrival interface, or local (sent by this host)', dst: 'an IPv4 or IPv6 address', dport: '0-65535 (tcp/udp)',
	out: 'departure interface (optional)', mac: '02:00:0d:4c:00:03', mark: 'a number, 0x1 or 1', type: 'echo-request, 8 or 3/1',
	flags: 'SYN,ACK (default: SYN when NEW)', state: 'NEW ESTABLISHED RELATED INVALID UNTRACKED',
};

export const EMPTY_FORM: FormValues = Object.fromEntries(FORM_FIELDS.map((f) => [f, ''])) as Record<FormField, string>;

/** The form as an expression (empty fields left out). */
export function formExpression(values: FormValues): string {
	const v = (field: FormField) => values[field].trim();
	const endpoint = (address: string, port: string) => (port === '' ? address : address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`);
	const parts = [v('proto'), endpoint(v('src'), v('sport')), '>', endpoint(v('dst'), v('dport'))];
	if (v('in') === 'local') parts.push('local');
	else if (v('in')) parts.push('in', v('in'));
	const pairs: [FormField, string][] = [['out', 'out'], ['mac', 'mac'], ['type', 'type'], ['flags', 'flags'], ['mark', 'mark'], ['state', 'state']];
	for (const [field, word] of pairs) if (v(field)) parts.push(word, v(field));
	return parts.filter(Boolean).join(' ');
}

/** The form as the spec spec.ts builds packets from (each field where it belongs: no word can be misread). */
function formSpec(values: FormValues): PacketSpec {
	const spec: PacketSpec = {};
	const pairs: [FormField, keyof PacketSpec][] = [['proto', 'proto'], ['src', 'src'], ['sport', 'sport'], ['dst', 'dst'], ['dport', 'dport'], ['out', 'out'], ['mac', 'srcMac'], ['type', 'icmpType'], ['flags', 'tcpFlags'], ['mark', 'mark'], ['state', 'state']];
	for (const [field, key] of pairs) if (values[field].trim()) (spec as Record<string, string>)[key] = values[field].trim();
	const arrival = values.in.trim();
	if (arrival === 'local') spec.local = true;
	else if (arrival) spec.in = arrival;
	return spec;
}

/** The form filled from an expression (what it cannot read stays empty). */
export function formFromExpression(text: string): FormValues {
	let spec: PacketSpec;
	try {
		spec = parseExpression(words(text));
	} catch {
		return EMPTY_FORM;
	}
	return {
		proto: spec.proto ?? '', src: spec.src ?? '', sport: spec.sport ?? '', in: spec.local ? 'local' : spec.in ?? '',
		dst: spec.dst ?? '', dport: spec.dport ?? '', out: spec.out ?? '', mac: spec.srcMac ?? '', mark: spec.mark ?? '',
		type: spec.icmpType ?? '', flags: spec.tcpFlags ?? '', state: spec.state ?? '',
	};
}

/** Which field an error of spec.ts is about (its messages name the field). */
const ERROR_FIELDS: readonly [RegExp, FormField][] = [
	[/source port/, 'sport'], [/destination port|needs a destination port/, 'dport'], [/^source|source address|both IPv4/, 'src'],
	[/^destination|destination address/, 'dst'], [/protocol/, 'proto'], [/MAC/, 'mac'], [/mark/, 'mark'], [/ICMP|icmp-type/, 'type'],
	[/TCP flag|tcp-flags/, 'flags'], [/state/, 'state'], [/local|input interface/, 'in'], [/interface/, 'in'],
];

export interface FormCheck {
	readonly check: ExpressionCheck;
	/** The field the error is about, when it names one. */
	readonly field?: FormField;
}

export function checkForm(values: FormValues, interfaces?: ReadonlySet<string>): FormCheck {
	if (FORM_FIELDS.every((f) => values[f].trim() === '')) return { check: { ok: false, empty: true, error: 'fill in the packet: at least source, destination and, for tcp/udp, a destination port' } };
	const missing = !values.src.trim() ? 'src' : !values.dst.trim() ? 'dst' : undefined;
	if (missing) return { check: { ok: false, empty: false, error: `the packet needs a ${missing === 'src' ? 'source' : 'destination'} address` }, field: missing };
	try {
		packetFromSpec(formSpec(values));
	} catch (error) {
		const message = safeText((error as Error).message);
		const field = ERROR_FIELDS.find(([pattern]) => pattern.test(message))?.[1];
		return { check: { ok: false, empty: false, error: message }, ...(field ? { field } : {}) };
	}
	// The packet is good: the line's check of the same packet gives its description and warnings.
	const check = checkExpression(formExpression(values), interfaces);
	if (check.ok) {
		// The one warning is an interface this host does not have.
		const out = values.out.trim();
		return { check, ...(check.warning ? { field: out && check.warning.includes(out) ? 'out' as const : 'in' as const } : {}) };
	}
	return { check };
}
