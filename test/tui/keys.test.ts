import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { activeBindings, BINDINGS, commandFor, footerEntries, helpSections, type KeyContext } from '../../source/tui/keys.js';

const normal = (view: KeyContext['view'], extra: Partial<KeyContext> = {}): KeyContext => ({ mode: 'normal', view, ...extra });

describe('key table', () => {
	test('arrows and vim keys, pages, ends, numbers and Tab mean the same in every list view', () => {
		for (const view of ['trace', 'rules', 'routes', 'links', 'capture'] as const) {
			assert.equal(commandFor({ input: '', key: 'down' }, normal(view)), 'down');
			assert.equal(commandFor({ input: 'j' }, normal(view)), 'down');
			assert.equal(commandFor({ input: 'k' }, normal(view)), 'up');
			assert.equal(commandFor({ input: '', key: 'pageDown' }, normal(view)), 'pageDown');
			assert.equal(commandFor({ input: '', key: 'pageUp' }, normal(view)), 'pageUp');
			assert.equal(commandFor({ input: '', key: 'home' }, normal(view)), 'home');
			assert.equal(commandFor({ input: 'G', shift: true }, normal(view)), 'end');
			assert.equal(commandFor({ input: '3' }, normal(view)), 'view3');
			assert.equal(commandFor({ input: '', key: 'tab' }, normal(view)), 'nextView');
			assert.equal(commandFor({ input: '', key: 'tab', shift: true }, normal(view)), 'prevView');
			assert.equal(commandFor({ input: '/' }, normal(view)), view === 'capture' ? 'filter' : 'search');
		}
	});
	test('a key means what the view says: Enter unfolds in Trace, opens a chain in Rules; r and e belong to their views', () => {
		assert.equal(commandFor({ input: '', key: 'return' }, normal('trace')), 'open');
		assert.equal(commandFor({ input: '', key: 'return' }, normal('rules')), 'open');
		assert.equal(commandFor({ input: '', key: 'return' }, normal('links')), undefined);
		assert.equal(commandFor({ input: 'e' }, normal('trace')), 'editExpression');
		assert.equal(commandFor({ input: 'e' }, normal('rules')), undefined);
		assert.equal(commandFor({ input: 'r' }, normal('routes')), 'routeGet');
		assert.equal(commandFor({ input: 'r' }, normal('capture')), 'replay');
		assert.equal(commandFor({ input: 't' }, normal('capture')), 'tracePacket');
		assert.equal(commandFor({ input: 't' }, normal('trace')), undefined);
		assert.equal(commandFor({ input: 'f' }, normal('capture')), 'filter');
		assert.equal(commandFor({ input: 'f' }, normal('trace')), 'editForm');
		assert.equal(commandFor({ input: '', key: 'return' }, normal('capture')), 'toggleDetail');
	});
	test('the packet form: ↑↓ move between its fields (on the line they mean nothing), Ctrl-T switches form and line', () => {
		const form: KeyContext = { mode: 'edit', view: 'trace', edit: 'form' };
		const line: KeyContext = { mode: 'edit', view: 'trace', edit: 'expression' };
		assert.equal(commandFor({ input: '', key: 'down' }, form), 'nextField');
		assert.equal(commandFor({ input: '', key: 'up' }, form), 'prevField');
		assert.equal(commandFor({ input: '', key: 'down' }, line), undefined);
		assert.equal(commandFor({ input: 't', ctrl: true }, form), 'toggleForm');
		assert.equal(commandFor({ input: 't', ctrl: true }, line), 'toggleForm');
		assert.equal(commandFor({ input: 't', ctrl: true }, { mode: 'edit', view: 'capture', edit: 'filter' }), undefined);
		assert.ok(footerEntries(form, 100).some((e) => e.keys === '↑↓' && e.text === 'field'));
	});
	test('Backspace goes back only when there is somewhere to go; n/N only after a search', () => {
		assert.equal(commandFor({ input: '', key: 'delete' }, normal('rules')), undefined);
		assert.equal(commandFor({ input: '', key: 'delete' }, normal('rules', { canGoBack: true })), 'back');
		assert.equal(commandFor({ input: 'n' }, normal('rules')), undefined);
		assert.equal(commandFor({ input: 'n' }, normal('rules', { hasSearch: true })), 'searchNext');
		assert.equal(commandFor({ input: 'N', shift: true }, normal('rules', { hasSearch: true })), 'searchPrev');
	});
	test('on a line, letters and digits are text; Enter, Esc, Ctrl-U and Ctrl-C are commands', () => {
		const edit: KeyContext = { mode: 'edit', view: 'trace', edit: 'expression' };
		for (const input of ['q', 'j', '1', '?', '/', 'e', 'n']) assert.equal(commandFor({ input }, edit), undefined, input);
		assert.equal(commandFor({ input: '', key: 'return' }, edit), 'submit');
		assert.equal(commandFor({ input: '', key: 'escape', meta: true }, edit), 'cancel');
		assert.equal(commandFor({ input: 'u', ctrl: true }, edit), 'clearLine');
		assert.equal(commandFor({ input: 'c', ctrl: true }, edit), 'quit');
		assert.equal(commandFor({ input: 'c', ctrl: true }, { mode: 'help', view: 'rules' }), 'quit');
	});
	test('the footer comes from the same table, drops the least important entries to fit, and always keeps help and quit', () => {
		const wide = footerEntries(normal('rules', { canGoBack: true, hasSearch: true }), 200);
		const texts = wide.map((e) => `${e.keys} ${e.text}`);
		assert.ok(texts.includes('Enter open chain'));
		assert.ok(texts.includes('Bksp back'));
		assert.ok(texts.includes('n/N next/prev'));
		for (const entry of wide) assert.ok(BINDINGS.some((b) => b.footer?.keys === entry.keys && b.footer.text === entry.text));
		const narrow = footerEntries(normal('rules', { canGoBack: true, hasSearch: true }), 60);
		const length = narrow.map((e) => `${e.keys} ${e.text}`).join('  ').length;
		assert.ok(length <= 60, `${length}`);
		assert.deepEqual(narrow.slice(-2).map((e) => e.text), ['help', 'quit']);
		const editing = footerEntries({ mode: 'edit', view: 'trace', edit: 'expression' }, 80).map((e) => e.text);
		assert.ok(editing.includes('go') && editing.includes('leave line') && editing.includes('quit'));
	});
	test('the help overlay lists every command that has a key, each key once per section', () => {
		const sections = helpSections();
		const lines = sections.flatMap((s) => s.lines.map((l) => `${l.keys} ${l.help}`));
		for (const binding of BINDINGS) {
			if (binding.modes.includes('help') && binding.modes.length === 1) continue;
			assert.ok(lines.includes(`${binding.keysLabel} ${binding.help}`), binding.command);
		}
		for (const section of sections) assert.equal(new Set(section.lines.map((l) => l.keys)).size, section.lines.length, section.title);
	});
	test('the active bindings never give one key two meanings', () => {
		const contexts: KeyContext[] = [
			...(['trace', 'rules', 'routes', 'links', 'capture'] as const).map((view) => normal(view, { canGoBack: true, hasSearch: true })),
			{ mode: 'edit', view: 'trace', edit: 'expression' }, { mode: 'edit', view: 'trace', edit: 'form' }, { mode: 'edit', view: 'capture', edit: 'filter' },
			{ mode: 'normal', view: 'capture', detailOpen: true }, { mode: 'help', view: 'trace' },
		];
		for (const context of contexts) {
			const seen = new Map<string, string>();
			for (const binding of activeBindings(context)) {
				for (const key of binding.keys) {
					const id = JSON.stringify(key);
					const before = seen.get(id);
					assert.ok(before === undefined || before === binding.command, `${context.mode}/${context.view}: ${id} is both ${before} and ${binding.command}`);
					seen.set(id, binding.command);
				}
			}
		}
	});
});
