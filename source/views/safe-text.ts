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
