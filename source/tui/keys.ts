/**
 * Keys are data: every command the TUI knows, the keys that trigger it, where it applies, and how the
 * footer and the help overlay describe it. The dispatcher, the footer and `?` all read this one table.
 * Pure: no ink import (the App converts ink's key events into a KeyPress).
 */

export const VIEWS = ['trace', 'rules', 'routes', 'links', 'capture'] as const;
export type ViewId = (typeof VIEWS)[number];

export const VIEW_TITLES: Readonly<Record<ViewId, string>> = {
	trace: 'Trace', rules: 'Rules', routes: 'Routes', links: 'Interfaces', capture: 'Capture',
};

/** What a line editor edits: the packet expression, a field of the packet form, a search, the inline `route get`, the capture filter. */
export type EditTarget = 'expression' | 'form' | 'search' | 'route' | 'filter';

export type Command =
	| 'quit' | 'help' | 'closeHelp'
	| 'view1' | 'view2' | 'view3' | 'view4' | 'view5' | 'nextView' | 'prevView'
	| 'up' | 'down' | 'pageUp' | 'pageDown' | 'home' | 'end' | 'scrollLeft' | 'scrollRight'
	| 'open' | 'back' | 'search' | 'searchNext' | 'searchPrev'
	| 'editExpression' | 'editForm' | 'toggleForm' | 'nextField' | 'prevField' | 'routeGet'
	| 'filter' | 'tracePacket' | 'replay' | 'toggleDetail'
	| 'submit' | 'cancel' | 'deleteBack' | 'deleteForward' | 'cursorLeft' | 'cursorRight' | 'lineStart' | 'lineEnd' | 'clearLine' | 'deleteWord';

export type SpecialKey = 'up' | 'down' | 'left' | 'right' | 'pageUp' | 'pageDown' | 'home' | 'end' | 'return' | 'escape' | 'tab' | 'backspace' | 'delete';

/** One key: a special key or a character, with modifiers. */
export interface KeySpec {
	readonly key?: SpecialKey;
	readonly char?: string;
	readonly ctrl?: boolean;
	readonly shift?: boolean;
}

/** A key event, as the terminal reported it (the App maps ink's Key onto this). */
export interface KeyPress {
	readonly input: string;
	readonly key?: SpecialKey;
	readonly ctrl?: boolean;
	readonly shift?: boolean;
	readonly meta?: boolean;
}

export type Mode = 'normal' | 'edit' | 'help';

export interface KeyContext {
	readonly mode: Mode;
	readonly view: ViewId;
	readonly edit?: EditTarget;
	/** Rules: there is a chain to go back to. */
	readonly canGoBack?: boolean;
	/** A search was made: n/N work. */
	readonly hasSearch?: boolean;
	/** Capture: the detail pane fills the view (↑↓ scroll it). */
	readonly detailOpen?: boolean;
}

export interface Binding {
	readonly command: Command;
	readonly keys: readonly KeySpec[];
	/** How help shows the keys: "↑ k". */
	readonly keysLabel: string;
	/** What the command does, for the help overlay. */
	readonly help: string;
	readonly modes: readonly Mode[];
	/** Only in these views (normal mode); absent: every view. */
	readonly views?: readonly ViewId[];
	/** Only when editing these (edit mode); absent: any line. */
	readonly edits?: readonly EditTarget[];
	readonly when?: (context: KeyContext) => boolean;
	/** The footer entry; one entry may stand for a group (↑↓ for up and down); lower priority is dropped first when the footer is too narrow. */
	readonly footer?: { readonly keys: string; readonly text: string; readonly priority: number };
}

const k = (key: SpecialKey, mods: Omit<KeySpec, 'key' | 'char'> = {}): KeySpec => ({ key, ...mods });
const c = (char: string, mods: Omit<KeySpec, 'key' | 'char'> = {}): KeySpec => ({ char, ...mods });

const LIST_VIEWS: readonly ViewId[] = ['trace', 'rules', 'routes', 'links', 'capture'];
/** Views searched with / (the Capture view filters instead: a search would decode a million packets on one key). */
const SEARCH_VIEWS: readonly ViewId[] = ['trace', 'rules', 'routes', 'links'];

export const BINDINGS: readonly Binding[] = [
	// ── everywhere ──
	{ command: 'quit', keys: [c('c', { ctrl: true })], keysLabel: 'Ctrl-C', help: 'quit', modes: ['normal', 'help'] },
	// ── help overlay ──
	{ command: 'closeHelp', keys: [c('?'), k('escape'), c('q')], keysLabel: '? Esc q', help: 'close this help', modes: ['help'], footer: { keys: 'Esc', text: 'close help', priority: 9 } },
	{ command: 'up', keys: [k('up'), c('k')], keysLabel: '↑ k', help: 'scroll up', modes: ['help'], footer: { keys: '↑↓', text: 'scroll', priority: 5 } },
	{ command: 'down', keys: [k('down'), c('j')], keysLabel: '↓ j', help: 'scroll down', modes: ['help'] },
	// ── line editor ──
	{ command: 'submit', keys: [k('return')], keysLabel: 'Enter', help: 'trace the packet / search / look the route up / filter', modes: ['edit'], footer: { keys: 'Enter', text: 'go', priority: 9 } },
	{ command: 'cancel', keys: [k('escape')], keysLabel: 'Esc', help: 'leave the line', modes: ['edit'], footer: { keys: 'Esc', text: 'leave line', priority: 8 } },
	{ command: 'deleteBack', keys: [k('backspace'), k('delete'), c('h', { ctrl: true })], keysLabel: 'Backspace', help: 'delete the character before the cursor', modes: ['edit'] },
	{ command: 'deleteForward', keys: [c('d', { ctrl: true })], keysLabel: 'Ctrl-D', help: 'delete the character under the cursor', modes: ['edit'] },
	{ command: 'cursorLeft', keys: [k('left'), c('b', { ctrl: true })], keysLabel: '← Ctrl-B', help: 'cursor left', modes: ['edit'] },
	{ command: 'cursorRight', keys: [k('right'), c('f', { ctrl: true })], keysLabel: '→ Ctrl-F', help: 'cursor right', modes: ['edit'] },
	{ command: 'lineStart', keys: [k('home'), c('a', { ctrl: true })], keysLabel: 'Home Ctrl-A', help: 'start of the line', modes: ['edit'] },
	{ command: 'lineEnd', keys: [k('end'), c('e', { ctrl: true })], keysLabel: 'End Ctrl-E', help: 'end of the line', modes: ['edit'] },
	{ command: 'clearLine', keys: [c('u', { ctrl: true })], keysLabel: 'Ctrl-U', help: 'clear the line', modes: ['edit'], footer: { keys: '^U', text: 'clear', priority: 4 } },
	{ command: 'deleteWord', keys: [c('w', { ctrl: true })], keysLabel: 'Ctrl-W', help: 'delete the word before the cursor', modes: ['edit'] },
	{ command: 'quit', keys: [c('c', { ctrl: true })], keysLabel: 'Ctrl-C', help: 'quit', modes: ['edit'], footer: { keys: '^C', text: 'quit', priority: 10 } },
	{ command: 'nextField', keys: [k('down')], keysLabel: '↓', help: 'packet form: next field', modes: ['edit'], edits: ['form'], footer: { keys: '↑↓', text: 'field', priority: 7 } },
	{ command: 'prevField', keys: [k('up')], keysLabel: '↑', help: 'packet form: previous field', modes: ['edit'], edits: ['form'] },
	{ command: 'toggleForm', keys: [c('t', { ctrl: true })], keysLabel: 'Ctrl-T', help: 'packet: switch between the form and the expression line', modes: ['edit'], edits: ['expression', 'form'], footer: { keys: '^T', text: 'form/line', priority: 6 } },
	// ── lists ──
	{ command: 'up', keys: [k('up'), c('k')], keysLabel: '↑ k', help: 'move up', modes: ['normal'], views: LIST_VIEWS, footer: { keys: '↑↓', text: 'move', priority: 6 } },
	{ command: 'down', keys: [k('down'), c('j')], keysLabel: '↓ j', help: 'move down', modes: ['normal'], views: LIST_VIEWS },
	{ command: 'pageUp', keys: [k('pageUp'), c('b', { ctrl: true }), c('u', { ctrl: true })], keysLabel: 'PgUp Ctrl-B', help: 'page up', modes: ['normal'], views: LIST_VIEWS, footer: { keys: 'PgUp/Dn', text: 'page', priority: 3 } },
	{ command: 'pageDown', keys: [k('pageDown'), c('f', { ctrl: true }), c('d', { ctrl: true }), c(' ')], keysLabel: 'PgDn Ctrl-F Space', help: 'page down', modes: ['normal'], views: LIST_VIEWS },
	{ command: 'home', keys: [k('home'), c('g')], keysLabel: 'Home g', help: 'first line', modes: ['normal'], views: LIST_VIEWS },
	{ command: 'end', keys: [k('end'), c('G')], keysLabel: 'End G', help: 'last line', modes: ['normal'], views: LIST_VIEWS },
	{ command: 'scrollLeft', keys: [k('left'), c('h')], keysLabel: '← h', help: 'scroll left', modes: ['normal'], views: LIST_VIEWS },
	{ command: 'scrollRight', keys: [k('right'), c('l')], keysLabel: '→ l', help: 'scroll right (long rules)', modes: ['normal'], views: LIST_VIEWS, footer: { keys: '←→', text: 'scroll', priority: 1 } },
	{ command: 'open', keys: [k('return')], keysLabel: 'Enter', help: 'on a step: unfold every rule walked and why it did not match; on a rule: show it in Rules', modes: ['normal'], views: ['trace'], footer: { keys: 'Enter', text: 'unfold', priority: 7 } },
	{ command: 'open', keys: [k('return')], keysLabel: 'Enter', help: 'on a rule that jumps to a chain: open that chain', modes: ['normal'], views: ['rules'], footer: { keys: 'Enter', text: 'open chain', priority: 7 } },
	{ command: 'back', keys: [k('backspace'), k('delete')], keysLabel: 'Backspace', help: 'back to the rule you came from', modes: ['normal'], views: ['rules'], when: (x) => x.canGoBack === true, footer: { keys: 'Bksp', text: 'back', priority: 7 } },
	{ command: 'editExpression', keys: [c('e'), c(':'), c('i')], keysLabel: 'e : i', help: 'edit the packet expression', modes: ['normal'], views: ['trace'], footer: { keys: 'e', text: 'edit packet', priority: 8 } },
	{ command: 'editForm', keys: [c('f')], keysLabel: 'f', help: 'edit the packet in a form (a field each: protocol, addresses, ports, interfaces, MAC, ICMP type, TCP flags, mark, state)', modes: ['normal'], views: ['trace'], footer: { keys: 'f', text: 'form', priority: 6 } },
	{ command: 'toggleDetail', keys: [k('return')], keysLabel: 'Enter', help: 'the selected packet\'s layers and bytes, full height (↑↓ scroll; Enter again: the list)', modes: ['normal'], views: ['capture'], footer: { keys: 'Enter', text: 'detail', priority: 7 } },
	{ command: 'tracePacket', keys: [c('t')], keysLabel: 't', help: 'trace the selected packet (switches to Trace)', modes: ['normal'], views: ['capture'], footer: { keys: 't', text: 'trace it', priority: 9 } },
	{ command: 'replay', keys: [c('r')], keysLabel: 'r', help: 'replay the capture through this host (simulated conntrack, in packet order): a fate column, packets per fate', modes: ['normal'], views: ['capture'], footer: { keys: 'r', text: 'replay', priority: 7 } },
	{ command: 'filter', keys: [c('f'), c('/')], keysLabel: 'f /', help: 'filter the packets (tcpdump-like: host, net, port, tcp, udp, icmp, arp, vlan, and/or/not)', modes: ['normal'], views: ['capture'], footer: { keys: 'f', text: 'filter', priority: 8 } },
	{ command: 'routeGet', keys: [c('r')], keysLabel: 'r', help: 'route get: look a destination up', modes: ['normal'], views: ['routes'], footer: { keys: 'r', text: 'route get', priority: 8 } },
	{ command: 'search', keys: [c('/')], keysLabel: '/', help: 'search this view (in Capture, / filters)', modes: ['normal'], views: SEARCH_VIEWS, footer: { keys: '/', text: 'search', priority: 5 } },
	{ command: 'searchNext', keys: [c('n')], keysLabel: 'n', help: 'next match', modes: ['normal'], views: SEARCH_VIEWS, when: (x) => x.hasSearch === true, footer: { keys: 'n/N', text: 'next/prev', priority: 4 } },
	{ command: 'searchPrev', keys: [c('N')], keysLabel: 'N', help: 'previous match', modes: ['normal'], views: SEARCH_VIEWS, when: (x) => x.hasSearch === true },
	// ── frame ──
	{ command: 'view1', keys: [c('1')], keysLabel: '1', help: 'Trace view', modes: ['normal'], footer: { keys: '1-5', text: 'views', priority: 2 } },
	{ command: 'view2', keys: [c('2')], keysLabel: '2', help: 'Rules view', modes: ['normal'] },
	{ command: 'view3', keys: [c('3')], keysLabel: '3', help: 'Routes view', modes: ['normal'] },
	{ command: 'view4', keys: [c('4')], keysLabel: '4', help: 'Interfaces view', modes: ['normal'] },
	{ command: 'view5', keys: [c('5')], keysLabel: '5', help: 'Capture view', modes: ['normal'] },
	{ command: 'nextView', keys: [k('tab')], keysLabel: 'Tab', help: 'next view', modes: ['normal', 'edit'], footer: { keys: 'Tab', text: 'view', priority: 2 } },
	{ command: 'prevView', keys: [k('tab', { shift: true })], keysLabel: 'Shift-Tab', help: 'previous view', modes: ['normal', 'edit'] },
	{ command: 'help', keys: [c('?')], keysLabel: '?', help: 'all keys, and the host\'s warnings', modes: ['normal'], footer: { keys: '?', text: 'help', priority: 10 } },
	{ command: 'quit', keys: [c('q')], keysLabel: 'q', help: 'quit', modes: ['normal'], footer: { keys: 'q', text: 'quit', priority: 10 } },
];

/** The bindings in force in a context, in table order. */
export function activeBindings(context: KeyContext, table: readonly Binding[] = BINDINGS): Binding[] {
	return table.filter((b) => b.modes.includes(context.mode)
		&& (context.mode !== 'normal' || !b.views || b.views.includes(context.view))
		&& (context.mode !== 'edit' || !b.edits || (context.edit !== undefined && b.edits.includes(context.edit)))
		&& (!b.when || b.when(context)));
}

export function keyMatches(spec: KeySpec, press: KeyPress): boolean {
	if (Boolean(spec.ctrl) !== Boolean(press.ctrl)) return false;
	if (spec.key !== undefined) {
		if (press.key !== spec.key) return false;
		// Shift matters for Tab (Shift-Tab is its own key); other special keys ignore it.
		return spec.key !== 'tab' || Boolean(spec.shift) === Boolean(press.shift);
	}
	return press.key === undefined && press.input === spec.char;
}

/** The command a key press means here, or undefined (in a line editor: typed text). */
export function commandFor(press: KeyPress, context: KeyContext, table: readonly Binding[] = BINDINGS): Command | undefined {
	for (const binding of activeBindings(context, table)) if (binding.keys.some((spec) => keyMatches(spec, press))) return binding.command;
	return undefined;
}

export interface FooterEntry {
	readonly keys: string;
	readonly text: string;
}

/** The footer: the active bindings' entries, in table order, the least important dropped until they fit. */
export function footerEntries(context: KeyContext, width: number, table: readonly Binding[] = BINDINGS): FooterEntry[] {
	const entries = activeBindings(context, table).flatMap((b) => (b.footer ? [b.footer] : []));
	const seen = new Set<string>();
	const unique = entries.filter((e) => {
		const id = `${e.keys} ${e.text}`;
		if (seen.has(id)) return false;
		seen.add(id);
		return true;
	});
	const length = (list: readonly FooterEntry[]) => list.reduce((sum, e) => sum + e.keys.length + 1 + e.text.length, 0) + Math.max(0, list.length - 1) * 2;
	const kept = [...unique];
	while (kept.length > 1 && length(kept) > width) {
		let lowest = 0;
		for (let i = 1; i < kept.length; i++) if (kept[i]!.priority < kept[lowest]!.priority) lowest = i;
		kept.splice(lowest, 1);
	}
	return kept.map(({ keys, text }) => ({ keys, text }));
}

export interface HelpSection {
	readonly title: string;
	readonly lines: readonly { readonly keys: string; readonly help: string }[];
}

/** The help overlay's text: every binding, grouped by where it works (the same table as the footer). */
export function helpSections(table: readonly Binding[] = BINDINGS): HelpSection[] {
	const sections: { title: string; test: (b: Binding) => boolean }[] = [
		{ title: 'Everywhere', test: (b) => b.modes.includes('normal') && !b.views },
		{ title: 'Lists (every view)', test: (b) => b.modes.includes('normal') && (b.views === LIST_VIEWS || b.views === SEARCH_VIEWS) },
		...VIEWS.map((view) => ({ title: `${VIEW_TITLES[view]} view`, test: (b: Binding) => b.modes.includes('normal') && b.views !== undefined && b.views !== LIST_VIEWS && b.views !== SEARCH_VIEWS && b.views.includes(view) })),
		{ title: 'Editing a line (packet, form, search, route get, filter)', test: (b) => b.modes.includes('edit') && !b.modes.includes('normal') },
	];
	return sections.map(({ title, test }) => {
		const seen = new Set<string>();
		const lines = table.filter(test).filter((b) => {
			const id = `${b.keysLabel}|${b.help}`;
			if (seen.has(id)) return false;
			seen.add(id);
			return true;
		}).map((b) => ({ keys: b.keysLabel, help: b.help }));
		return { title, lines };
	}).filter((s) => s.lines.length > 0);
}
