import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ALLOWED_COMMANDS, isAllowedArgv } from '../../source/host/collect.js';
import { execves, hasStrace } from '../support/execve.js';
import { REPO } from '../support/paths.js';
import { haveTmux, tmuxPanes } from '../support/tmux.js';

/**
 * Issue 7's read-only guarantee for an interactive session: the real TUI on the live host, in a real
 * terminal (tmux), under `strace -f -e trace=execve`; keys trace a packet, switch views and look a route
 * up, q quits. Every process it started (and what those started) must be an allow-listed argv of the
 * collector (source/host/collect.ts). Reading the host changes nothing; nothing here writes to it.
 */
const BIN = join(REPO, 'bin', 'netsleuth.js');
const SOCKET = `netsleuth-execve-${process.pid}`;
const dir = mkdtempSync(join(tmpdir(), 'netsleuth-tui-execve-'));
const TRACE = join(dir, 'execve.txt');
const { tmux, ...panes } = tmuxPanes(SOCKET);
const ptraceWorks = hasStrace() && spawnSync('strace', ['-f', '-qq', '-e', 'trace=execve', '-o', '/dev/null', 'true']).status === 0;

// One pane, 'tui'; under strace the TUI is slower to answer than in the other terminal tests.
const waitFor = (check: RegExp, what: string) => panes.waitFor('tui', (text) => check.test(text), what, 20_000);
const keys = (...names: string[]) => panes.send('tui', ...names);
const type = (text: string) => panes.type('tui', text);

after(() => {
	spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
	rmSync(dir, { recursive: true, force: true });
});

const skip = !haveTmux ? 'tmux is not installed' : !ptraceWorks ? 'strace is not installed or cannot trace here' : false;

test('a scripted TUI session on the live host starts only allow-listed commands (execve traced by the kernel)', { skip, timeout: 90_000 }, async () => {
	const command = `strace -f -qq -e trace=execve -s 4096 -o ${TRACE} ${process.execPath} ${BIN}; echo EXIT=$?; sleep 60`;
	tmux('new-session', '-d', '-s', 'tui', '-x', '120', '-y', '35', command);
	await waitFor(/1 Trace/, 'the TUI');
	await type('tcp 10.0.0.1:40000 > 10.0.0.2:22 in lo');
	await keys('Enter');
	await waitFor(/^(DELIVERED|DROPPED|REJECTED|FORWARDED|SENT)\b/m, 'the trace');
	await keys('Escape', '2');
	await waitFor(/open chain|no rules/, 'the Rules view');
	await keys('3');
	await waitFor(/route get ▸/, 'the Routes view');
	await keys('r');
	await type('10.0.0.2');
	await keys('Enter');
	await waitFor(/10\.0\.0\.2 (via|dev)|unreachable|no route/, 'the route lookup');
	await keys('Escape', '4');
	await waitFor(/^ +lo +loopback/m, 'the Interfaces view');
	await keys('q');
	await waitFor(/^EXIT=0$/m, 'netsleuth to exit');

	const calls = execves(TRACE);
	assert.match(calls[0]!.join(' '), /netsleuth\.js$/, 'the first execve is netsleuth itself');
	const spawned = calls.slice(1);
	// Every collector command once at least (PATH lookups repeat an argv): the live host was read.
	assert.ok(spawned.length >= Object.keys(ALLOWED_COMMANDS).length, `${spawned.length} execve:\n${spawned.map((c) => c.join(' ')).join('\n')}`);
	for (const call of spawned) assert.ok(isAllowedArgv(call), `the TUI session spawned ${JSON.stringify(call)}`);
});
