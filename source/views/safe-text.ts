/**
 * Removes what a terminal would act on from text that came from input (rule comments, interface names,
 * payloads): escape sequences (CSI, OSC such as clipboard writes, DCS), C0/C1 controls and bidirectional
 * overrides. Tabs become spaces; nothing else changes.
 */
const ESCAPES = /\x1b(?:\[[0-?]*[ -/]*[@-~]|[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])|[\x9b\x9d\x90\x98\x9e\x9f][^\x07\x1b\x9c]*(?:\x07|\x9c)?/g;
const CONTROLS = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function safeText(text: string): string {
	return text.replace(ESCAPES, '').replace(CONTROLS, '').replace(/\t/g, ' ');
}

/** What must not stay raw inside a one-line message: JSON.stringify leaves DEL, C1, bidi marks and U+2028/9 as they are. */
const RAW_IN_QUOTES = /[\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const escape = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * An input word quoted in a message: in double quotes, at most `max` characters of it (then "…"), with
 * line breaks, controls and bidi marks written as escapes (\n, \u001b, \u202e) so the message stays one
 * line that shows where the odd character was.
 */
export function quoted(text: string, max = 60): string {
	const cut = text.length > max ? `${text.slice(0, max)}…` : text;
	return JSON.stringify(cut).replace(RAW_IN_QUOTES, escape);
}

/**
 * The same escapes over a whole message built by code that quotes without quoted() (the many iptables
 * extensions write `got "${token.text}"`): a quoted stretch longer than 60 characters is cut as quoted()
 * cuts it, and the message at `max` characters.
 */
export function oneLine(message: string, max = 400): string {
	const clean = message
		.replace(/"([^"]{60})[^"]+"/g, '"$1…"')
		.replace(/[\x00-\x08\x0a-\x1f]/g, (c) => JSON.stringify(c).slice(1, -1))
		.replace(RAW_IN_QUOTES, escape);
	return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
