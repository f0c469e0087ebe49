import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { REPO } from '../support/paths.js';

/**
 * The real binary in a real terminal: tmux runs a shell, the shell runs netsleuth, send-keys types,
 * capture-pane reads the screen. Ink renders nothing while it believes it runs in CI, so CI's variables
 * are taken out of the terminal's environment.
 */

const BIN = join(REPO, 'bin', 'netsleuth.js');
const SOCKET = `netsleuth-e2e-${process.pid}`;
const haveTmux = spawnSync('tmux', ['-V']).status === 0;

function tmux(...args: string[]): string {
	const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color' };
	delete env.CI;
	delete env.CONTINUOUS_INTEGRATION;
	delete env.TMUX;
	const result = spawnSync('tmux', ['-L', SOCKET, '-f', '/dev/null', ...args], { encoding: 'utf8', env });
	if (result.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${result.stderr}`);
	return result.stdout;
}

const screen = (pane: string) => tmux('capture-pane', '-p', '-t', pane);
const flag = (pane: string, name: string) => tmux('display-message', '-p', '-t', pane, `#{${name}}`).trim();

async function waitFor(pane: string, check: (text: string) => boolean, what: string, timeout = 15_000): Promise<string> {
	const until = Date.now() + timeout;
	for (;;) {
		const text = screen(pane);
		if (check(text)) return text;
		if (Date.now() > until) assert.fail(`timed out waiting for ${what}; the screen was:\n${text}`);
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
}

/** Keys one at a time, with a pause, as a person types (an Escape glued to the next key is Alt-key). */
async function send(pane: string, ...keys: string[]): Promise<void> {
	for (const key of keys) {
		tmux('send-keys', '-t', pane, key);
		await new Promise((resolve) => setTimeout(resolve, 120));
	}
}

async function type(pane: string, text: string): Promise<void> {
	tmux('send-keys', '-t', pane, '-l', text);
	await new Promise((resolve) => setTimeout(resolve, 120));
}

/** A new window running a plain shell that marks the screen, then runs netsleuth with these arguments. */
async function start(name: string, args: string): Promise<string> {
	tmux('new-window', '-t', 'e2e', '-n', name, 'bash --norc --noprofile');
	const pane = `e2e:${name}`;
	await type(pane, `PS1='$ '; clear; echo BEFORE-THE-TUI; node ${BIN} ${args}; echo "EXIT=$?"`);
	await send(pane, 'Enter');
	await waitFor(pane, (t) => t.includes('1 Trace'), 'the TUI');
	assert.equal(flag(pane, 'alternate_on'), '1', 'the TUI is on the alternate screen');
	return pane;
}

async function assertRestored(pane: string, code: number): Promise<void> {
	const text = await waitFor(pane, (t) => t.includes('EXIT='), 'the shell to come back');
	assert.match(text, new RegExp(`^EXIT=${code}$`, 'm'));
	assert.equal(flag(pane, 'alternate_on'), '0', 'back on the normal screen');
	assert.equal(flag(pane, 'cursor_flag'), '1', 'the cursor is visible again');
	assert.match(text, /^BEFORE-THE-TUI$/m, 'the shell\'s screen is as it was');
	assert.doesNotMatch(text, /netsleuth │|1 Trace|REJECTED/, 'nothing of the TUI is left behind');
	// The keyboard is back in cooked mode: the shell echoes what is typed and runs it on Enter.
	await type(pane, 'echo COOKED-$((40+2))');
	await send(pane, 'Enter');
	await waitFor(pane, (t) => /^COOKED-42$/m.test(t), 'the shell to run a command');
}

describe('netsleuth in a terminal (tmux)', { skip: haveTmux ? false : 'tmux is not installed (apt-get install tmux)' }, () => {
	before(() => {
		tmux('new-session', '-d', '-s', 'e2e', '-x', '100', '-y', '30', 'bash --norc --noprofile');
	});
	after(() => {
		try {
			tmux('kill-server');
		} catch {
			// Already gone.
		}
	});

	test('the handout exercise on --demo reject-ip: type the packet, see REJECTED and the rule, q gives the terminal back', async () => {
		const pane = await start('reject', '--demo reject-ip');
		await type(pane, 'tcp 10.2.67.113:51000 > 172.16.6.251:22 in ens32');
		await waitFor(pane, (t) => t.includes('✓ tcp 10.2.67.113:51000 > 172.16.6.251:22 [SYN] NEW in ens32'), 'the inline check');
		await send(pane, 'Enter');
		let text = await waitFor(pane, (t) => t.includes('REJECTED'), 'the fate');
		assert.match(text, /^REJECTED \(icmp-port-unreachable\) by filter\/INPUT rule 1/m);
		assert.match(text, /✓ 1 +-A INPUT -s 10\.2\.67\.113\/32 -j REJECT --reject-with icmp-port-unreachable/);
		await send(pane, '2');
		text = await waitFor(pane, (t) => t.includes('iptables -t filter'), 'the rules view');
		assert.match(text, /▶ +1 +0 +0 REJECT +all/);
		await send(pane, '3', 'r');
		await type(pane, '192.0.2.101');
		await send(pane, 'Enter');
		await waitFor(pane, (t) => t.includes('192.0.2.101 via 172.16.6.24 dev ens32 table main'), 'the Calico route lookup');
		await send(pane, 'q');
		await assertRestored(pane, 0);
	});

	test('Ctrl-C on the packet line and a SIGTERM both give the terminal back', async () => {
		const pane = await start('ctrlc', '--demo node0');
		await type(pane, 'tcp 10.0.0.1:1 >');
		await send(pane, 'C-c');
		await assertRestored(pane, 0);
		const other = await start('term', '--demo node0');
		// netsleuth is the child of the pane's shell.
		const shell = flag(other, 'pane_pid');
		const child = readFileSync(`/proc/${shell}/task/${shell}/children`, 'utf8').trim().split(' ')[0]!;
		assert.match(child, /^\d+$/);
		process.kill(Number(child), 'SIGTERM');
		await assertRestored(other, 143);
	});
});
