import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as g from '../../bench/capture-gen.js';
import { REPO } from '../support/paths.js';
import { haveTmux, tmuxPanes } from '../support/tmux.js';

/**
 * The real binary in a real terminal: tmux runs a shell, the shell runs netsleuth, send-keys types,
 * capture-pane reads the screen (test/support/tmux.ts).
 */

const BIN = join(REPO, 'bin', 'netsleuth.js');
const SOCKET = `netsleuth-e2e-${process.pid}`;
const { tmux, waitFor, send, type } = tmuxPanes(SOCKET);
const flag = (pane: string, name: string) => tmux('display-message', '-p', '-t', pane, `#{${name}}`).trim();

/** A new window running a plain shell that marks the screen, then runs netsleuth with these arguments. */
async function start(name: string, args: string, first = '1 Trace'): Promise<string> {
	tmux('new-window', '-t', 'e2e', '-n', name, 'bash --norc --noprofile');
	const pane = `e2e:${name}`;
	await type(pane, `PS1='$ '; clear; echo BEFORE-THE-TUI; node ${BIN} ${args}; echo "EXIT=$?"`);
	await send(pane, 'Enter');
	await waitFor(pane, (t) => t.includes(first), 'the TUI');
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

	const refused = [
		{ demo: 'reject-mac', what: 'the packet from the MAC', packet: 'tcp 172.16.6.24:40000 > 172.16.6.251:22 in ens32 mac 02:00:0d:4c:00:03', rule: /✓ 1 +-A INPUT -m mac --mac-source 02:00:0d:4c:00:03 -j REJECT/ },
		{ demo: 'no-ping', what: 'an echo request', packet: 'icmp 172.16.6.24 > 172.16.6.251 type echo-request in ens32', rule: /✓ 1 +-A INPUT -s 172\.16\.6\.24\/32 -p icmp -m icmp --icmp-type 8 -j REJECT/ },
	];
	for (const { demo, what, packet, rule } of refused) {
		test(`the handout exercise on --demo ${demo}: ${what} is REJECTED by rule 1`, async () => {
			const pane = await start(demo, `--demo ${demo}`);
			await type(pane, packet);
			await send(pane, 'Enter');
			const text = await waitFor(pane, (t) => t.includes('REJECTED'), 'the fate');
			assert.match(text, /^REJECTED \(icmp-port-unreachable\) by filter\/INPUT rule 1/m);
			assert.match(text, rule);
			await send(pane, 'q');
			await assertRestored(pane, 0);
		});
	}

	test('the handout exercise on --demo http-only, typed in the packet form: HTTP is delivered, SSH dropped by the DROP policy', async () => {
		const pane = await start('http', '--demo http-only');
		await send(pane, 'C-t');
		await waitFor(pane, (t) => /protocol .*source .*src port/.test(t), 'the packet form');
		for (const [value, last] of [['tcp', false], ['172.16.6.24', false], ['40000', false], ['ens32', false], ['172.16.6.251', false], ['80', true]] as const) {
			await type(pane, value);
			if (!last) await send(pane, 'Down');
		}
		await waitFor(pane, (t) => t.includes('✓ tcp 172.16.6.24:40000 > 172.16.6.251:80 [SYN] NEW in ens32'), 'the form\'s inline check');
		await send(pane, 'Enter');
		let text = await waitFor(pane, (t) => t.includes('DELIVERED'), 'the fate');
		assert.match(text, /✓ 1 +-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT/);
		// The form again, on the same packet: the destination port (the field last edited) becomes 22.
		await send(pane, 'f', 'C-u');
		await type(pane, '22');
		await send(pane, 'Enter');
		text = await waitFor(pane, (t) => t.includes('DROPPED'), 'the second fate');
		assert.match(text, /^DROPPED by filter\/INPUT policy DROP/m);
		await send(pane, 'q');
		await assertRestored(pane, 0);
	});

	test('--pcap FILE opens the Capture view: the packets, their detail, a move, t traces the selected one', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'netsleuth-e2e-'));
		try {
			const file = join(dir, 'small.pcap');
			const mac = '02:00:0d:4c:00:03';
			const host = '02:00:0d:4c:00:01';
			const frames = [
				g.eth(host, mac, 0x0806, g.arp(1, mac, '172.16.6.24', '00:00:00:00:00:00', '172.16.6.251')),
				g.eth(host, mac, 0x0800, g.ipv4('10.2.67.113', '172.16.6.251', 6, g.tcp(51000, 22, new Uint8Array(0), { flags: 0x02 }))),
			];
			writeFileSync(file, g.pcapFile(frames.map((data, i) => ({ sec: 1_700_000_000 + i, nsec: 0, data }))));
			const pane = await start('capture', `--demo reject-ip --pcap ${file}`, '5 Capture');
			let text = await waitFor(pane, (t) => t.includes('2 packets') && t.includes('who-has'), 'the packet list');
			assert.match(text, /^ +1 +0\.000000 +02:00:0d:4c:00:03 → 02:00:0d:4c:00:01 +arp/m);
			assert.match(text, /^ +2 +1\.000000 +10\.2\.67\.113 +→ 172\.16\.6\.251 +tcp .*51000 > 22 \[SYN\]/m);
			assert.match(text, /ARP +@14 +htype 0x1/);
			await send(pane, 'j');
			text = await waitFor(pane, (t) => t.includes('── packet 2'), 'the second packet\'s detail');
			assert.match(text, /TCP +@34 +sport 51000 +dport 22/);
			assert.match(text, /^ +0000 +02 00 0d 4c 00 01 02 00 +0d 4c 00 03 08 00 45 00/m);
			await send(pane, 't');
			text = await waitFor(pane, (t) => t.includes('REJECTED'), 'the trace of packet 2');
			assert.match(text, /packet 2 of .*small\.pcap: traced with its own bytes/);
			assert.match(text, /^REJECTED \(icmp-port-unreachable\) by filter\/INPUT rule 1/m);
			await send(pane, 'q');
			await assertRestored(pane, 0);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
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
