import { checkExpression, checkRouteQuery, filterError } from './expression.js';
import { checkForm, EMPTY_FORM, FORM_FIELDS, formExpression, formFromExpression, type FormValues } from './form.js';
import { type Command, commandFor, type EditTarget, type KeyContext, type KeyPress, type Mode, VIEWS, type ViewId } from './keys.js';
import { findRow, type ListState, moveBy, moveTo, page, scrollSideways, showAtTop, START } from './list.js';
import type { RowSource } from './rows.js';
import { safeText } from '../views/safe-text.js';

/**
 * The whole UI state and its one pure reducer: a key press (with what the views currently show, read
 * through accessors) in, the next state out. Rendering, tracing and the terminal live elsewhere; tests
 * drive this without ink.
 */

export interface EditState {
	readonly target: EditTarget;
	readonly text: string;
	readonly cursor: number;
}

/** The form on the packet a line holds; a line that does not read as one leaves the form as it was. */
function formOf(text: string, previous: FormValues): FormValues {
	const parsed = text.trim() ? formFromExpression(text) : EMPTY_FORM;
	return parsed === EMPTY_FORM ? previous : parsed;
}

/** A form field's line editor: the text of FORM_FIELDS[field]. */
function fieldEdit(form: FormValues, field: number): EditState {
	const text = form[FORM_FIELDS[field]!];
	return { target: 'form', text, cursor: text.length };
}

export interface Message {
	readonly text: string;
	readonly tone: 'info' | 'error';
}

export interface UiState {
	readonly view: ViewId;
	readonly lists: Readonly<Record<ViewId, ListState>>;
	readonly edit: EditState | null;
	readonly help: boolean;
	readonly helpTop: number;
	/** The packet line's text, and the text last traced (null: nothing traced yet). */
	readonly expression: string;
	readonly traced: string | null;
	/** The captured packet (1-based) the trace is of (its own bytes, as `trace --pcap`), or null: the expression's. */
	readonly capturePacket: number | null;
	/** The packet form in place of the packet line, its values, and the field the cursor is in. */
	readonly formMode: boolean;
	readonly form: FormValues;
	readonly formField: number;
	/** Capture: the filter line's text, and the filter in force (null: every packet). */
	readonly filterText: string;
	readonly filter: string | null;
	/** Capture: the detail pane fills the view; its first line shown. */
	readonly detailOpen: boolean;
	readonly detailTop: number;
	/** Capture: replays asked for (r); each starts one from the first packet. */
	readonly replays: number;
	/** The inline route get's text, and the query last looked up. */
	readonly routeText: string;
	readonly routeQuery: string | null;
	/** The last search (n/N repeat it). */
	readonly search: string | null;
	/** Trace steps unfolded with Enter, by step key. */
	readonly unfolded: ReadonlySet<string>;
	/** Rules: where Enter on a jump came from, for Backspace. */
	readonly back: readonly ListState[];
	readonly message: Message | null;
	readonly quit: boolean;
}

/** What a view shows right now: its rows and the size of its list window. */
export interface ViewEnv {
	readonly source: RowSource;
	readonly height: number;
	readonly width: number;
}

export interface FrameEnv {
	readonly views: Readonly<Record<ViewId, ViewEnv>>;
	readonly helpLines: number;
	readonly helpHeight: number;
	/** Capture: the selected packet's detail lines, and the pane's height. */
	readonly detail?: { readonly lines: number; readonly height: number };
}

export type Action =
	| { readonly type: 'key'; readonly press: KeyPress; readonly env: FrameEnv }
	| { readonly type: 'trace'; readonly expression: string };

export interface InitialOptions {
	readonly expression?: string;
	readonly view?: ViewId;
}

export function initialState(options: InitialOptions = {}): UiState {
	const expression = options.expression ?? '';
	const traced = expression && checkExpression(expression).ok ? expression : null;
	const view = options.view ?? 'trace';
	return {
		view,
		lists: Object.fromEntries(VIEWS.map((v) => [v, START])) as Record<ViewId, ListState>,
		// With nothing traced yet the packet line has the keyboard: type and press Enter.
		edit: view === 'trace' && traced === null ? { target: 'expression', text: expression, cursor: expression.length } : null,
		help: false,
		helpTop: 0,
		expression,
		traced,
		capturePacket: null,
		formMode: false,
		form: EMPTY_FORM,
		formField: 0,
		filterText: '',
		filter: null,
		detailOpen: false,
		detailTop: 0,
		replays: 0,
		routeText: '',
		routeQuery: null,
		search: null,
		unfolded: new Set(),
		back: [],
		message: null,
		quit: false,
	};
}

export function modeOf(state: UiState): Mode {
	return state.help ? 'help' : state.edit ? 'edit' : 'normal';
}

export function keyContext(state: UiState): KeyContext {
	return {
		mode: modeOf(state),
		view: state.view,
		...(state.edit ? { edit: state.edit.target } : {}),
		canGoBack: state.view === 'rules' && state.back.length > 0,
		hasSearch: state.search !== null,
		detailOpen: state.view === 'capture' && state.detailOpen,
	};
}

/** Printable text typed into a line editor (a paste arrives as one string): controls and bidi overrides removed. */
export function printable(input: string): string {
	return safeText(input);
}

export function reduce(state: UiState, action: Action): UiState {
	switch (action.type) {
		case 'trace': {
			const check = checkExpression(action.expression);
			if (!check.ok) return { ...state, expression: action.expression, message: { text: check.error, tone: 'error' } };
			return { ...state, expression: action.expression, traced: action.expression, capturePacket: null, edit: null, unfolded: new Set(), lists: { ...state.lists, trace: START }, message: null };
		}
		case 'key': {
			const presses = splitPress(action.press);
			const only = presses.length === 1 ? presses[0]! : undefined;
			if (only && (only.key !== undefined || only.ctrl || only.input.length <= 1)) return handle(state, only, action.env);
			// Keys that arrived together (typed fast, held down, pasted): one at a time, a text run into a line at once.
			let next = state;
			for (const press of presses) {
				if (press.key !== undefined || press.ctrl) {
					next = handle(next, press, action.env);
					continue;
				}
				let rest = press.input;
				while (rest) {
					if (next.edit) {
						next = handle(next, { input: rest }, action.env);
						rest = '';
					} else {
						const [first] = rest;
						next = handle(next, { input: first! }, action.env);
						rest = rest.slice(first!.length);
					}
				}
			}
			return next;
		}
	}
}

const CONTROL_KEYS: Readonly<Record<string, KeyPress>> = {
	'\r': { input: '', key: 'return' }, '\n': { input: '', key: 'return' }, '\t': { input: '', key: 'tab' },
	'\x7f': { input: '', key: 'delete' }, '\b': { input: '', key: 'backspace' },
};

/**
 * Ink hands over a run of ordinary characters as one event, control characters included ("abc\r",
 * "jjj", "text\x03"). Splits such a run into the keys it holds: control characters each on their own
 * (Enter, Tab, Backspace, Ctrl-letter), the text between them as runs. Other presses pass unchanged.
 */
export function splitPress(press: KeyPress): KeyPress[] {
	if (press.key !== undefined || press.ctrl || press.input.length <= 1) return [press];
	const out: KeyPress[] = [];
	let run = '';
	for (const char of press.input) {
		const code = char.codePointAt(0)!;
		if (code >= 0x20 && code !== 0x7f) {
			run += char;
			continue;
		}
		if (run) out.push({ input: run });
		run = '';
		const known = CONTROL_KEYS[char];
		if (known) out.push(known);
		else if (code >= 1 && code <= 26) out.push({ input: String.fromCharCode(code + 96), ctrl: true });
	}
	if (run) out.push({ input: run });
	return out.length ? out : [press];
}

function handle(state: UiState, press: KeyPress, env: FrameEnv): UiState {
	const command = commandFor(press, keyContext(state));
	const base = state.message ? { ...state, message: null } : state;
	if (command) return apply(base, command, env);
	if (state.edit) {
		// A form field is one word: spaces would split the expression it makes.
		const text = state.edit.target === 'form' ? printable(press.input).replace(/\s+/g, '') : printable(press.input);
		return text ? insert(base, text) : base;
	}
	return base;
}

function insert(state: UiState, text: string): UiState {
	const edit = state.edit!;
	return { ...state, edit: { ...edit, text: edit.text.slice(0, edit.cursor) + text + edit.text.slice(edit.cursor), cursor: edit.cursor + text.length } };
}

function setList(state: UiState, view: ViewId, list: ListState): UiState {
	return { ...state, lists: { ...state.lists, [view]: list } };
}

function switchView(state: UiState, view: ViewId): UiState {
	// Leaving a line keeps what was typed on it.
	const left = state.edit ? leaveEdit(state) : state;
	return { ...left, view };
}

function leaveEdit(state: UiState): UiState {
	const edit = state.edit;
	if (!edit) return state;
	if (edit.target === 'expression') return { ...state, edit: null, expression: edit.text };
	if (edit.target === 'form') return { ...state, edit: null, form: { ...state.form, [FORM_FIELDS[state.formField]!]: edit.text } };
	if (edit.target === 'route') return { ...state, edit: null, routeText: edit.text };
	if (edit.target === 'filter') return { ...state, edit: null, filterText: edit.text };
	return { ...state, edit: null };
}

function searchFrom(state: UiState, env: ViewEnv, query: string, from: number, direction: 1 | -1): UiState {
	const found = findRow(env.source.count, (i) => env.source.text(i), query, from, direction);
	if (found === undefined) return { ...state, search: query, message: { text: `no match for "${query}"`, tone: 'error' } };
	const list = moveTo(state.lists[state.view], found, env.source.count, env.height);
	return { ...setList(state, state.view, list), search: query };
}

function scrollDetail(state: UiState, frame: FrameEnv, delta: number): UiState {
	const last = Math.max(0, (frame.detail?.lines ?? 0) - (frame.detail?.height ?? 1));
	return { ...state, detailTop: Math.max(0, Math.min(last, state.detailTop + delta)) };
}

function submit(state: UiState, env: ViewEnv): UiState {
	const edit = state.edit!;
	switch (edit.target) {
		case 'expression': {
			const check = checkExpression(edit.text);
			if (!check.ok) return { ...state, message: { text: check.error, tone: 'error' } };
			return { ...state, edit: null, expression: edit.text, traced: edit.text, capturePacket: null, unfolded: new Set(), lists: { ...state.lists, trace: START } };
		}
		case 'form': {
			const left = leaveEdit(state);
			const { check } = checkForm(left.form);
			if (!check.ok) return { ...state, message: { text: check.error, tone: 'error' } };
			const expression = formExpression(left.form);
			return { ...left, expression, traced: expression, capturePacket: null, unfolded: new Set(), lists: { ...state.lists, trace: START } };
		}
		case 'filter': {
			const text = edit.text.trim();
			const left = { ...state, edit: null, filterText: edit.text, lists: { ...state.lists, capture: START }, detailTop: 0 };
			if (!text) return { ...left, filter: null };
			const problem = filterError(text);
			if (problem !== undefined) return { ...state, message: { text: `filter: ${problem}`, tone: 'error' } };
			return { ...left, filter: text };
		}
		case 'route': {
			const check = checkRouteQuery(edit.text);
			if (!check.ok) return { ...state, message: { text: check.error, tone: 'error' } };
			return { ...state, edit: null, routeText: edit.text, routeQuery: edit.text };
		}
		case 'search': {
			const query = edit.text || state.search || '';
			const left = { ...state, edit: null };
			if (!query) return left;
			return searchFrom(left, env, query, state.lists[state.view].cursor, 1);
		}
	}
}

function editCommand(state: UiState, command: Command): UiState | undefined {
	const edit = state.edit;
	if (!edit) return undefined;
	const { text, cursor } = edit;
	const set = (next: string, at: number) => ({ ...state, edit: { ...edit, text: next, cursor: Math.max(0, Math.min(next.length, at)) } });
	switch (command) {
		case 'deleteBack': return cursor === 0 ? state : set(text.slice(0, cursor - 1) + text.slice(cursor), cursor - 1);
		case 'deleteForward': return set(text.slice(0, cursor) + text.slice(cursor + 1), cursor);
		case 'cursorLeft': return set(text, cursor - 1);
		case 'cursorRight': return set(text, cursor + 1);
		case 'lineStart': return set(text, 0);
		case 'lineEnd': return set(text, text.length);
		case 'clearLine': return set('', 0);
		case 'deleteWord': {
			const before = text.slice(0, cursor).replace(/\S+\s*$/, '');
			return set(before + text.slice(cursor), before.length);
		}
		case 'cancel': return leaveEdit(state);
		case 'nextField': case 'prevField': {
			const left = leaveEdit(state);
			const field = (state.formField + (command === 'nextField' ? 1 : FORM_FIELDS.length - 1)) % FORM_FIELDS.length;
			return { ...left, formField: field, edit: fieldEdit(left.form, field) };
		}
		case 'toggleForm': {
			if (edit.target === 'form') {
				const left = leaveEdit(state);
				const expression = formExpression(left.form);
				return { ...left, formMode: false, expression, edit: { target: 'expression', text: expression, cursor: expression.length } };
			}
			const form = formOf(edit.text, state.form);
			return { ...state, formMode: true, form, expression: edit.text, edit: fieldEdit(form, state.formField) };
		}
		default: return undefined;
	}
}

function apply(state: UiState, command: Command, frame: FrameEnv): UiState {
	const env = frame.views[state.view];
	const list = state.lists[state.view];
	const count = env.source.count;
	const edited = editCommand(state, command);
	if (edited) return edited;
	switch (command) {
		case 'quit': return { ...state, quit: true };
		case 'help': return { ...state, help: true, helpTop: 0 };
		case 'closeHelp': return { ...state, help: false };
		case 'submit': return submit(state, env);
		case 'view1': case 'view2': case 'view3': case 'view4': case 'view5':
			return switchView(state, VIEWS[Number(command.slice(4)) - 1]!);
		case 'nextView': case 'prevView': {
			const at = VIEWS.indexOf(state.view);
			return switchView(state, VIEWS[(at + (command === 'nextView' ? 1 : VIEWS.length - 1)) % VIEWS.length]!);
		}
		case 'up': case 'down': {
			const delta = command === 'up' ? -1 : 1;
			if (state.help) return { ...state, helpTop: Math.max(0, Math.min(state.helpTop + delta, frame.helpLines - frame.helpHeight)) };
			if (state.view === 'capture' && state.detailOpen) return scrollDetail(state, frame, delta);
			return setList(state, state.view, moveBy(list, delta, count, env.height));
		}
		case 'pageUp': case 'pageDown': case 'home': case 'end': {
			if (state.view === 'capture' && state.detailOpen) {
				const height = frame.detail?.height ?? 1;
				return scrollDetail(state, frame, command === 'pageUp' ? -height : command === 'pageDown' ? height : command === 'home' ? -Infinity : Infinity);
			}
			if (command === 'home' || command === 'end') return setList(state, state.view, moveTo(list, command === 'home' ? 0 : count - 1, count, env.height));
			return setList(state, state.view, page(list, command === 'pageUp' ? -1 : 1, count, env.height));
		}
		case 'scrollLeft': return setList(state, state.view, scrollSideways(list, -8, env.source.widest, env.width));
		case 'scrollRight': return setList(state, state.view, scrollSideways(list, 8, env.source.widest, env.width));
		case 'open': {
			const action = count ? env.source.action?.(list.cursor) : undefined;
			if (!action) {
				return state.view === 'rules' ? { ...state, message: { text: 'Enter opens the chain a rule jumps to; this line does not jump', tone: 'info' } } : state;
			}
			if (action.kind === 'rule') {
				const rules = frame.views.rules;
				const at = rules.source.locate?.(action.key);
				if (at === undefined) return { ...state, message: { text: 'that rule is not in the Rules view', tone: 'info' } };
				const shown = moveTo({ ...state.lists.rules, top: Math.max(0, at - 3), left: 0 }, at, rules.source.count, rules.height);
				return { ...setList(state, 'rules', shown), view: 'rules' };
			}
			if (action.kind === 'packet') return state;
			if (action.kind === 'toggle') {
				const unfolded = new Set(state.unfolded);
				if (unfolded.has(action.key)) unfolded.delete(action.key);
				else unfolded.add(action.key);
				return { ...state, unfolded };
			}
			return { ...setList(state, state.view, showAtTop(list, action.to, count, env.height)), back: [...state.back, list] };
		}
		case 'back': {
			const previous = state.back.at(-1);
			if (!previous) return state;
			return { ...setList(state, 'rules', previous), back: state.back.slice(0, -1) };
		}
		case 'search': return { ...state, edit: { target: 'search', text: '', cursor: 0 } };
		case 'searchNext': case 'searchPrev': {
			if (!state.search) return state;
			const direction = command === 'searchNext' ? 1 : -1;
			return searchFrom(state, env, state.search, list.cursor + direction, direction);
		}
		case 'editExpression': return { ...state, view: 'trace', formMode: false, edit: { target: 'expression', text: state.expression, cursor: state.expression.length } };
		case 'editForm': {
			const form = formOf(state.expression, state.form);
			return { ...state, view: 'trace', formMode: true, form, edit: fieldEdit(form, state.formField) };
		}
		case 'filter': return { ...state, detailOpen: false, edit: { target: 'filter', text: state.filterText, cursor: state.filterText.length } };
		case 'replay': return { ...state, replays: state.replays + 1 };
		case 'toggleDetail': return { ...state, detailOpen: !state.detailOpen, detailTop: 0 };
		case 'tracePacket': {
			const action = count ? env.source.action?.(list.cursor) : undefined;
			if (action?.kind !== 'packet') return { ...state, message: { text: 'no packet to trace here yet', tone: 'info' } };
			if (action.expression === undefined) return { ...state, message: { text: action.error ?? `packet ${action.n} cannot be traced`, tone: 'error' } };
			return {
				...state, view: 'trace', edit: null, formMode: false, expression: action.expression, traced: action.expression, capturePacket: action.n,
				unfolded: new Set(), lists: { ...state.lists, trace: START },
			};
		}
		case 'routeGet': return { ...state, view: 'routes', edit: { target: 'route', text: state.routeText, cursor: state.routeText.length } };
		default: return state;
	}
}
