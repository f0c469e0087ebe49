import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KeyPress, ViewId } from '../../source/tui/keys.js';
import { arraySource, EMPTY_SOURCE, type RowAction, type RowSource } from '../../source/tui/rows.js';
import { type FrameEnv, initialState, keyContext, reduce, splitPress, type UiState } from '../../source/tui/state.js';

const lines = (n: number, prefix = 'row') => arraySource(Array.from({ length: n }, (_, i) => ({ text: `${prefix} ${i}`, tone: 'normal' as const })));

function frame(sources: Partial<Record<ViewId, RowSource>> = {}, height = 10): FrameEnv {
	const view = (v: ViewId) => ({ source: sources[v] ?? EMPTY_SOURCE, height, width: 78 });
	return { views: { trace: view('trace'), rules: view('rules'), routes: view('routes'), links: view('links'), capture: view('capture') }, helpLines: 40, helpHeight: 10 };
}

const special = (key: KeyPress['key'], extra: Partial<KeyPress> = {}): KeyPress => ({ input: '', key, ...extra });
const char = (input: string, extra: Partial<KeyPress> = {}): KeyPress => ({ input, ...extra });

/** Feeds key presses (a string is typed character by character) through the reducer. */
function press(state: UiState, env: FrameEnv, ...keys: (KeyPress | string)[]): UiState {
	let s = state;
	for (const k of keys) {
		const list = typeof k === 'string' ? [...k].map((c) => char(c)) : [k];
		for (const p of list) s = reduce(s, { type: 'key', press: p, env });
	}
	return s;
}

const EXPRESSION = 'tcp 10.2.67.113:51000 > 172.16.6.251:22 in ens32';

describe('the TUI reducer', () => {
	test('it starts on the packet line; typing and Enter trace the packet and hand the keyboard to the path', () => {
		const env = frame();
		let s = initialState();
		assert.equal(keyContext(s).mode, 'edit');
		s = press(s, env, EXPRESSION);
		assert.equal(s.edit?.text, EXPRESSION);
		assert.equal(s.traced, null);
		s = press(s, env, special('return'));
		assert.equal(s.traced, EXPRESSION);
		assert.equal(s.edit, null);
		assert.equal(keyContext(s).mode, 'normal');
	});
	test('keys that arrive together are each handled: a pasted line, a held-down j, text with Enter or Ctrl-C', () => {
		const env = frame({ trace: lines(50) });
		let s = press(initialState(), env, char('tcp 1.2.3.4:1 >\x1b[31m 5.6.7.8:2 in eth0'));
		assert.equal(s.edit?.text, 'tcp 1.2.3.4:1 >[31m 5.6.7.8:2 in eth0');
		s = press(initialState(), env, char(`${EXPRESSION}\rjjj`));
		assert.equal(s.traced, EXPRESSION);
		assert.equal(s.lists.trace.cursor, 3);
		assert.equal(press(s, env, char('jj')).lists.trace.cursor, 5, 'a run of keys with no control key among them');
		s = press(s, env, char('kkGe\x15tcp'));
		assert.equal(s.lists.trace.cursor, 49);
		assert.equal(s.edit?.text, 'tcp');
		assert.equal(press(s, env, char('x\x03')).quit, true);
		assert.equal(press(initialState(), env, char('ab\x7f\x7fc')).edit?.text, 'c');
		assert.deepEqual(splitPress({ input: 'a\tb' }), [{ input: 'a' }, { input: '', key: 'tab' }, { input: 'b' }]);
		assert.deepEqual(splitPress({ input: 'q' }), [{ input: 'q' }]);
	});
	test('a bad packet keeps the line open and says what is wrong', () => {
		const s = press(initialState(), frame(), 'tcp 10.0.0.1 > nowhere in eth0', special('return'));
		assert.equal(s.traced, null);
		assert.equal(s.edit?.target, 'expression');
		assert.equal(s.message?.tone, 'error');
		assert.match(s.message!.text, /nowhere/);
	});
	test('line editing: cursor moves, Backspace, Ctrl-W, Ctrl-U, and Esc keeps the text', () => {
		const env = frame();
		let s = press(initialState(), env, 'tcp 1.1.1.1:1 > 2.2.2.2:22 in eth0');
		s = press(s, env, special('backspace'), special('delete'));
		assert.equal(s.edit?.text, 'tcp 1.1.1.1:1 > 2.2.2.2:22 in et');
		s = press(s, env, char('w', { ctrl: true }));
		assert.equal(s.edit?.text, 'tcp 1.1.1.1:1 > 2.2.2.2:22 in ');
		s = press(s, env, special('home'), 'x', special('end'), 'eth1');
		assert.equal(s.edit?.text, 'xtcp 1.1.1.1:1 > 2.2.2.2:22 in eth1');
		s = press(s, env, char('a', { ctrl: true }), char('d', { ctrl: true }), special('escape', { meta: true }));
		assert.equal(s.edit, null);
		assert.equal(s.expression, 'tcp 1.1.1.1:1 > 2.2.2.2:22 in eth1');
		s = press(s, env, 'e', char('u', { ctrl: true }));
		assert.equal(s.edit?.text, '');
	});
	test('views by number and Tab; q quits outside a line, is a letter on one; Ctrl-C quits anywhere', () => {
		const env = frame();
		let s = press(initialState(), env, 'q');
		assert.equal(s.quit, false);
		s = press(s, env, special('tab'));
		assert.equal(s.view, 'rules');
		assert.equal(s.expression, 'q');
		s = press(s, env, '3');
		assert.equal(s.view, 'routes');
		s = press(s, env, special('tab', { shift: true }), special('tab', { shift: true }), special('tab', { shift: true }));
		assert.equal(s.view, 'capture');
		assert.equal(press(s, env, 'q').quit, true);
		assert.equal(press(initialState(), env, char('c', { ctrl: true })).quit, true);
	});
	test('moving in a list: arrows, vim keys, pages, Home and End, each view keeping its own place', () => {
		const env = frame({ rules: lines(100), routes: lines(5) });
		let s = press(initialState({ view: 'rules' }), env, 'jjj', special('down'), special('up'));
		assert.equal(s.lists.rules.cursor, 3);
		s = press(s, env, special('pageDown'));
		assert.deepEqual([s.lists.rules.cursor, s.lists.rules.top], [13, 10]);
		s = press(s, env, 'G');
		assert.equal(s.lists.rules.cursor, 99);
		s = press(s, env, '3', 'G');
		assert.equal(s.lists.routes.cursor, 4);
		s = press(s, env, '2', 'g');
		assert.equal(s.lists.rules.cursor, 0);
		s = press(s, env, 'l', 'l');
		assert.equal(s.lists.rules.left, 0, 'nothing is wider than the window');
	});
	test('/ searches the view from the cursor, n and N go to the next and previous match, wrapping', () => {
		const rows = arraySource(['INPUT', 'x', 'KUBE-SVC-A', 'y', 'kube-sep-1', 'z'].map((text) => ({ text, tone: 'normal' as const })));
		const env = frame({ rules: rows });
		let s = press(initialState({ view: 'rules' }), env, '/', 'kube', special('return'));
		assert.equal(s.search, 'kube');
		assert.equal(s.lists.rules.cursor, 2);
		s = press(s, env, 'n');
		assert.equal(s.lists.rules.cursor, 4);
		s = press(s, env, 'n');
		assert.equal(s.lists.rules.cursor, 2);
		s = press(s, env, 'N');
		assert.equal(s.lists.rules.cursor, 4);
		s = press(s, env, '/', 'nothing like it', special('return'));
		assert.equal(s.lists.rules.cursor, 4);
		assert.match(s.message!.text, /no match/);
		s = press(s, env, 'j');
		assert.equal(s.message, null, 'the next key clears the message');
	});
	test('Enter on a jump opens the chain at the top of the window; Backspace returns to the rule', () => {
		const rows = lines(60);
		const jumps: Record<number, RowAction> = { 5: { kind: 'jump', to: 40, label: 'Chain X' } };
		const env = frame({ rules: { ...rows, action: (i) => jumps[i] } });
		let s = press(initialState({ view: 'rules' }), env, 'jjjjj', special('return'));
		assert.deepEqual([s.lists.rules.cursor, s.lists.rules.top], [40, 40]);
		assert.equal(keyContext(s).canGoBack, true);
		s = press(s, env, special('delete'));
		assert.deepEqual([s.lists.rules.cursor, s.back.length], [5, 0]);
		s = press(s, env, 'j', special('return'));
		assert.equal(s.lists.rules.cursor, 6);
		assert.match(s.message!.text, /does not jump/);
	});
	test('Enter on a step folds and unfolds it; a new trace folds everything again', () => {
		const rows = lines(3);
		const env = frame({ trace: { ...rows, action: (i) => (i === 1 ? { kind: 'toggle', key: 'step:1' } : undefined) } });
		let s = initialState({ expression: EXPRESSION });
		assert.equal(s.traced, EXPRESSION);
		assert.equal(s.edit, null);
		s = press(s, env, 'j', special('return'));
		assert.deepEqual([...s.unfolded], ['step:1']);
		s = press(s, env, special('return'));
		assert.deepEqual([...s.unfolded], []);
		s = press(s, env, special('return'), 'e', special('return'));
		assert.deepEqual([...s.unfolded], []);
	});
	test('Enter on a rule of the trace shows that rule in the Rules view', () => {
		const rules: RowSource = { ...lines(80), locate: (key) => (key === '4|filter|INPUT|1' ? 50 : undefined) };
		const trace: RowSource = { ...lines(3), action: (i) => (i === 2 ? { kind: 'rule', key: '4|filter|INPUT|1' } : i === 1 ? { kind: 'rule', key: '4|nat|GONE|9' } : undefined) };
		const env = frame({ trace, rules });
		let s = press(initialState({ expression: EXPRESSION }), env, 'jj', special('return'));
		assert.equal(s.view, 'rules');
		assert.equal(s.lists.rules.cursor, 50);
		assert.ok(s.lists.rules.top <= 50 && s.lists.rules.top + 10 > 50);
		s = press(s, env, '1', 'k', special('return'));
		assert.equal(s.view, 'trace');
		assert.match(s.message!.text, /not in the Rules view/);
	});
	test('r opens the inline route get; a bad destination is refused, a good one looked up', () => {
		const env = frame();
		let s = press(initialState({ view: 'routes' }), env, 'r', 'not-an-ip', special('return'));
		assert.equal(s.routeQuery, null);
		assert.match(s.message!.text, /not an IP address/);
		s = press(s, env, char('u', { ctrl: true }), '192.0.2.101 from 172.16.6.251', special('return'));
		assert.equal(s.routeQuery, '192.0.2.101 from 172.16.6.251');
		assert.equal(s.edit, null);
	});
	test('? opens help over everything; its keys scroll it, Esc closes it', () => {
		const env = frame({ rules: lines(50) });
		let s = press(initialState({ view: 'rules' }), env, '?');
		assert.equal(keyContext(s).mode, 'help');
		s = press(s, env, 'jjj');
		assert.equal(s.helpTop, 3);
		assert.equal(s.lists.rules.cursor, 0);
		s = press(s, env, special('escape', { meta: true }));
		assert.equal(s.help, false);
	});
	test('Capture: f (or /) opens the filter line; a bad filter is refused, a good one applied from the top; Enter opens the detail, whose moves scroll it', () => {
		const packets = arraySource(Array.from({ length: 30 }, (_, i) => ({ text: `packet ${i + 1}`, tone: 'normal' as const })));
		const env: FrameEnv = { ...frame({ capture: packets }), detail: { lines: 25, height: 10 } };
		let s = press(initialState({ view: 'capture' }), env, 'jjj', '/');
		assert.equal(s.edit?.target, 'filter');
		s = press(s, env, 'port', special('return'));
		assert.equal(s.filter, null);
		assert.match(s.message?.text ?? '', /^filter: column 5: expected a port number/);
		s = press(s, env, char('u', { ctrl: true }), 'tcp port 22', special('return'));
		assert.deepEqual([s.filter, s.edit, s.lists.capture.cursor], ['tcp port 22', null, 0]);
		s = press(s, env, 'f', char('u', { ctrl: true }), special('return'));
		assert.equal(s.filter, null);
		s = press(s, env, 'jj', special('return'));
		assert.equal(keyContext(s).detailOpen, true);
		s = press(s, env, 'jjj');
		assert.deepEqual([s.detailTop, s.lists.capture.cursor], [3, 2]);
		s = press(s, env, 'G');
		assert.equal(s.detailTop, 15);
		s = press(s, env, special('return'), 'j');
		assert.deepEqual([s.detailOpen, s.lists.capture.cursor], [false, 3]);
	});
	test('Capture: t traces the selected packet (its own bytes: the trace remembers which), or says why it cannot', () => {
		const actions: RowAction[] = [{ kind: 'packet', n: 1, error: 'packet 1 is an ARP packet: netsleuth traces IPv4 and IPv6 packets' }, { kind: 'packet', n: 2, expression: EXPRESSION }];
		const env = frame({ capture: arraySource([{ text: 'arp', tone: 'normal' }, { text: 'tcp', tone: 'normal' }], (i) => actions[i]) });
		let s = press(initialState({ view: 'capture' }), env, 't');
		assert.equal(s.view, 'capture');
		assert.match(s.message?.text ?? '', /ARP packet/);
		s = press(s, env, 'j', 't');
		assert.deepEqual([s.view, s.traced, s.expression, s.capturePacket, s.edit], ['trace', EXPRESSION, EXPRESSION, 2, null]);
		s = press(s, env, 'e', special('return'));
		assert.equal(s.capturePacket, null, 'a packet traced from the line is the line\'s');
	});
	test('the packet form: f opens it on the line\'s packet, ↑↓ move between fields, spaces are not typed, Ctrl-T goes back to the line, Enter traces', () => {
		const env = frame();
		let s = press(initialState(), env, EXPRESSION, special('escape'), 'f');
		assert.deepEqual([s.formMode, s.edit?.target, s.edit?.text], [true, 'form', 'tcp']);
		assert.equal(s.form.in, 'ens32');
		s = press(s, env, special('down'), special('down'), char('u', { ctrl: true }), '4 2');
		assert.equal(s.edit?.text, '42');
		s = press(s, env, special('up'), special('up'), special('up'));
		assert.equal(s.formField, 11);
		s = press(s, env, 'NEW', char('t', { ctrl: true }));
		assert.deepEqual([s.formMode, s.edit?.target], [false, 'expression']);
		assert.equal(s.edit?.text, 'tcp 10.2.67.113:42 > 172.16.6.251:22 in ens32 state NEW');
		// Back in the form, at the field left (state); down wraps round to protocol, then source.
		s = press(s, env, char('t', { ctrl: true }), special('down'), special('down'), char('u', { ctrl: true }), 'nowhere', special('return'));
		assert.equal(s.traced, null);
		assert.match(s.message?.text ?? '', /source "nowhere" is not an IP address/);
		s = press(s, env, char('u', { ctrl: true }), '10.0.0.9', special('return'));
		assert.equal(s.traced, 'tcp 10.0.0.9:42 > 172.16.6.251:22 in ens32 state NEW');
		assert.deepEqual([s.edit, s.formMode], [null, true]);
	});
});
