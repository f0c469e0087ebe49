import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, test } from 'node:test';
import { ENTER, guardTerminal, LEAVE } from '../../source/tui/terminal.js';

class FakeProcess extends EventEmitter {
	exits: (number | undefined)[] = [];
	exit(code?: number): void {
		this.exits.push(code);
	}
}

function setup() {
	const written: string[] = [];
	const reports: string[] = [];
	let cooked = 0;
	const proc = new FakeProcess();
	const guard = guardTerminal({ write: (t) => written.push(t), cookedMode: () => cooked++ }, proc, (m) => reports.push(m));
	return { written, reports, proc, guard, cooked: () => cooked };
}

describe('the terminal guard', () => {
	test('enters the alternate screen, and gives the terminal back exactly once', () => {
		const { written, guard, proc, cooked } = setup();
		guard.enter();
		assert.deepEqual(written, [ENTER]);
		guard.restore();
		guard.restore();
		proc.emit('exit');
		assert.deepEqual(written, [ENTER, LEAVE]);
		assert.equal(cooked(), 1);
		assert.match(LEAVE, /\x1b\[\?1049l/);
		assert.match(LEAVE, /\x1b\[\?25h/);
		guard.dispose();
		assert.equal(proc.listenerCount('SIGINT') + proc.listenerCount('exit') + proc.listenerCount('uncaughtException'), 0);
	});
	test('a signal restores the screen and exits with 128 + the signal number', () => {
		for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
			const { written, guard, proc } = setup();
			guard.enter();
			proc.emit(signal);
			assert.deepEqual(written, [ENTER, LEAVE]);
			assert.deepEqual(proc.exits, [code]);
		}
	});
	test('a crash restores the screen first, then says what happened, exit 1', () => {
		const { written, reports, guard, proc } = setup();
		guard.enter();
		proc.emit('uncaughtException', new Error('boom'));
		assert.deepEqual(written, [ENTER, LEAVE]);
		assert.deepEqual(reports, ['netsleuth: internal error: boom']);
		assert.deepEqual(proc.exits, [1]);
	});
	test('the process exiting for any other reason restores it too', () => {
		const { written, guard, proc } = setup();
		guard.enter();
		proc.emit('exit', 0);
		assert.deepEqual(written, [ENTER, LEAVE]);
	});
});
