import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import * as g from '../../bench/capture-gen.js';
import type { TuiHost } from '../../source/tui/App.js';
import { CaptureFile } from '../../source/tui/capture/capture-file.js';
import { demoHost, EXERCISE } from './support/host.js';

// Colour is decided when ink (chalk) loads: force it on, so that the NO_COLOR test below proves something.
process.env.FORCE_COLOR = '1';
const { cleanup, render } = await import('ink-testing-library');
const { App } = await import('../../source/tui/App.js');

after(() => cleanup());

const ANSI = /\x1b\[[0-9;]*m/g;
const plain = (frame: string | undefined) => (frame ?? '').replace(ANSI, '');

type Rendered = ReturnType<typeof render>;

/** Polls the last frame until the check passes (ink renders after the key's event turn). */
async function waitFor(app: Rendered, check: (frame: string) => boolean, what: string, timeout = 3000): Promise<string> {
	const until = Date.now() + timeout;
	for (;;) {
		const frame = plain(app.lastFrame());
		if (check(frame)) return frame;
		if (Date.now() > until) assert.fail(`timed out waiting for ${what}; the screen was:\n${frame}`);
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

/** Types keys one event at a time, as a person would. */
async function keys(app: Rendered, ...presses: string[]): Promise<void> {
	for (const press of presses) {
		app.stdin.write(press);
		await new Promise((resolve) => setTimeout(resolve, 5));
	}
}

const ENTER = '\r';
const ESC = '\x1b';
const BACKSPACE = '\x7f';
const host: TuiHost = await demoHost('reject-ip');
const size = { columns: 100, rows: 30 };

async function traced(colour = false): Promise<Rendered> {
	const app = render(<App host={host} colour={colour} size={size} />);
	await waitFor(app, (f) => f.includes('Packet ▸'), 'the first frame');
	await keys(app, EXERCISE);
	await waitFor(app, (f) => f.includes('✓ tcp 10.2.67.113:51000 > 172.16.6.251:22 [SYN] NEW in ens32  Enter traces'), 'the inline check');
	await keys(app, ENTER);
	await waitFor(app, (f) => f.includes('REJECTED'), 'the fate');
	return app;
}

describe('the TUI, rendered', () => {
	test('the frame: host, source, counts, the five views, and the keys that work on the packet line', async () => {
		const app = render(<App host={host} colour={false} size={size} />);
		const frame = await waitFor(app, (f) => f.includes('Packet ▸'), 'the first frame');
		assert.match(frame, /netsleuth │ node0 │ demo reject-ip │ \d+ rules · \d+ routes · \d+ interfaces/);
		assert.match(frame, /1 Trace +2 Rules +3 Routes +4 Interfaces +5 Capture/);
		assert.match(frame, /Enter go +Esc leave line .*\^C quit/);
		assert.match(frame, /No packet traced yet/);
		assert.match(frame, /172\.16\.6\.251\/24 on ens32/);
		app.unmount();
	});
	test('trace: typing checks the packet inline, Enter shows the path, the deciding rule and the fate', async () => {
		const app = await traced();
		const frame = plain(app.lastFrame());
		assert.match(frame, /^REJECTED \(icmp-port-unreachable\) by filter\/INPUT rule 1/m);
		assert.match(frame, /▸ INPUT +filter\/INPUT +→ REJECT by rule 1/);
		assert.match(frame, /▶ +✓ 1 +-A INPUT -s 10\.2\.67\.113\/32 -j REJECT/);
		assert.match(frame, /Assumptions/);
		assert.match(frame, /Enter unfold +e edit packet/);
		app.unmount();
	});
	test('trace: a bad packet is refused on the line, with the reason', async () => {
		const app = render(<App host={host} colour={false} size={size} />);
		await waitFor(app, (f) => f.includes('Packet ▸'), 'the first frame');
		await keys(app, 'tcp 10.2.67.113 > 172.16.6.251:22 in ens99');
		await waitFor(app, (f) => f.includes('⚠ this host has no interface ens99'), 'the unknown interface warning');
		await keys(app, '\x15', 'tcp 10.2.67.113:5 ');
		await keys(app, '> nowhere', ENTER);
		await waitFor(app, (f) => f.includes('✗ destination "nowhere" is not an IP address'), 'the error');
		app.unmount();
	});
	test('trace: Enter on a step unfolds every rule walked and why it did not match', async () => {
		const app = await traced();
		await keys(app, ENTER);
		const frame = await waitFor(app, (f) => f.includes('▾ PREROUTING'), 'the unfolded step');
		assert.match(frame, /· +✗ DOCKER 1 -A DOCKER -i docker0 -j RETURN *\n +input interface ens32 is not docker0/);
		assert.match(frame, /▶ +end of PREROUTING: policy ACCEPT/);
		await keys(app, ENTER);
		await waitFor(app, (f) => f.includes('▸ PREROUTING') && !f.includes('is not docker0'), 'the step folded again');
		app.unmount();
	});
	test('trace: Enter on the deciding rule shows it in the Rules view', async () => {
		const app = await traced();
		await keys(app, 'j', 'j', 'j', ENTER);
		const frame = await waitFor(app, (f) => f.includes('iptables -t filter'), 'the rules view');
		assert.match(frame, /^filter ▸ INPUT/m);
		assert.match(frame, /line 4\/31/);
		app.unmount();
	});
	test('rules: iptables -L with line numbers and counters, the path marked; Enter opens a jump, Backspace returns', async () => {
		const app = await traced();
		await keys(app, '2');
		let frame = await waitFor(app, (f) => f.includes('iptables -t filter'), 'the rules view');
		assert.match(frame, /Chain INPUT \(policy ACCEPT 0 packets, 0 bytes\)/);
		assert.match(frame, /num pkts bytes target prot opt in out source +destination/);
		assert.match(frame, /▶ +1 +0 +0 REJECT all +-- +\* +\* +10\.2\.67\.113 +0\.0\.0\.0\/0 +reject-with icmp-port-unreachable/);
		assert.match(frame, /● path of: tcp 10\.2\.67\.113:51000/);
		await keys(app, '/', 'DOCKER all', ENTER);
		frame = await waitFor(app, (f) => f.includes('search "DOCKER all"'), 'the search');
		await keys(app, ENTER);
		frame = await waitFor(app, (f) => f.includes('← Backspace: filter ▸ FORWARD'), 'the opened chain');
		assert.match(frame, /^filter ▸ DOCKER/m);
		await keys(app, BACKSPACE);
		await waitFor(app, (f) => /^filter ▸ FORWARD/m.test(f) && !f.includes('← Backspace'), 'the way back');
		app.unmount();
	});
	test('routes: policy rules and tables, the trace\'s route marked, an inline route get', async () => {
		const app = await traced();
		await keys(app, '3');
		let frame = await waitFor(app, (f) => f.includes('IPv4 policy rules (ip rule)'), 'the routes view');
		assert.match(frame, /▶ +0: +from all lookup local/);
		assert.match(frame, /▶ marks the rule and route the trace chose: local 172\.16\.6\.251\/32/);
		await keys(app, 'r', '192.0.2.101', ENTER);
		frame = await waitFor(app, (f) => f.includes('192.0.2.101 via 172.16.6.24 dev ens32 table main'), 'the route get answer');
		assert.match(frame, /▶ +32766: +from all lookup main/);
		app.unmount();
	});
	test('interfaces and capture', async () => {
		const app = render(<App host={host} colour={false} size={size} initial={{ view: 'links' }} />);
		const frame = await waitFor(app, (f) => f.includes('docker0'), 'the interfaces view');
		assert.match(frame, /├─ veth1 +veth +UP/);
		await keys(app, '5');
		await waitFor(app, (f) => f.includes('No capture: start netsleuth with --pcap FILE'), 'the capture view, without a capture');
		app.unmount();
	});
	test('? shows every key and the host\'s warnings; Esc closes it', async () => {
		const warned: TuiHost = { ...host, warnings: ['iptables unreadable: not root', 'ip6tables unreadable: not root'] };
		const app = render(<App host={warned} colour={false} size={size} initial={{ view: 'rules' }} />);
		let frame = await waitFor(app, (f) => f.includes('⚠ iptables unreadable: not root (+1 more: ? lists them)'), 'the warning line');
		await keys(app, '?');
		frame = await waitFor(app, (f) => f.includes('Lists (every view)'), 'help');
		assert.match(frame, /PgUp Ctrl-B +page up/);
		await keys(app, 'G', 'G', 'G', ...Array(40).fill('j'));
		await waitFor(app, (f) => f.includes('⚠ ip6tables unreadable: not root'), 'the warnings at the end of help');
		await keys(app, ESC);
		await waitFor(app, (f) => f.includes('iptables -t filter'), 'help closed');
		app.unmount();
	});
	test('80×24 fits, a resize re-lays the frame, and NO_COLOR leaves no colour (bold and inverse stay)', async () => {
		const app = await traced(false);
		const small = { columns: 80, rows: 24 };
		app.rerender(<App host={host} colour={false} size={small} />);
		const frame = await waitFor(app, (f) => f.split('\n').length <= 23 && f.includes('REJECTED'), 'the 80×24 frame');
		for (const line of frame.split('\n')) assert.ok([...line].length <= 80, line);
		assert.match(frame, /\? help +q quit/);
		assert.doesNotMatch(app.lastFrame()!, /\x1b\[(3[0-7]|9[0-7]|4[0-7])m/);
		app.unmount();
		const coloured = await traced(true);
		assert.match(coloured.lastFrame()!, /\x1b\[31m/);
		coloured.unmount();
		const tiny = render(<App host={host} colour={false} size={{ columns: 30, rows: 8 }} />);
		await waitFor(tiny, (f) => f.includes('needs at least 40×12'), 'the too-small notice');
		tiny.unmount();
	});
});

describe('the Capture view and the packet form, rendered', () => {
	const dir = mkdtempSync(join(tmpdir(), 'netsleuth-tui-capture-'));
	after(() => rmSync(dir, { recursive: true, force: true }));
	const mac = '02:00:0d:4c:00:03';
	const me = '02:00:0d:4c:00:01';
	const frames = [
		g.eth(me, mac, 0x0800, g.ipv4('10.2.67.113', '172.16.6.251', 6, g.tcp(51000, 22, new Uint8Array(0), { flags: 0x02 }))),
		g.eth(me, mac, 0x0800, g.ipv4('172.16.6.24', '172.16.6.251', 6, g.tcp(40000, 80, Buffer.from('GET /\x1b]52;c;aGk=\x07\x1b[2J HTTP/1.1\r\n'), { flags: 0x18 }))),
		g.eth('ff:ff:ff:ff:ff:ff', mac, 0x0806, g.arp(1, mac, '172.16.6.24', '00:00:00:00:00:00', '172.16.6.251')),
		g.eth(me, mac, 0x0800, g.ipv4('172.16.6.24', '172.16.6.251', 1, g.icmpEcho(8, 1, 1))),
	];
	const pcap = join(dir, 'four.pcap');
	writeFileSync(pcap, g.pcapFile(frames.map((data, i) => ({ sec: 1_700_000_000 + i, nsec: 250_000 * i, data }))));

	async function opened(colour = false, file = pcap): Promise<{ app: Rendered; capture: CaptureFile }> {
		const capture = CaptureFile.open(file);
		const app = render(<App host={host} colour={colour} size={size} capture={capture} initial={{ view: 'capture' }} />);
		await capture.start();
		await waitFor(app, (f) => /Filter ▸ .*· \d+ packets$/m.test(f) || f.includes('packets ·'), 'the loaded capture');
		return { app, capture };
	}

	test('the list (one row a packet), the detail (each layer, the hex dump with input bytes made safe), j moves', async () => {
		const { app, capture } = await opened();
		let frame = await waitFor(app, (f) => f.includes('── packet 1'), 'the detail');
		assert.match(frame, /node0 │ demo reject-ip │ .* · 4 packets/);
		assert.match(frame, /^ +1 +0\.000000 +10\.2\.67\.113 +→ 172\.16\.6\.251 +tcp +54 +51000 > 22 \[SYN\]/m);
		assert.match(frame, /^ +3 +2\.000500 +02:00:0d:4c:00:03 → ff:ff:ff:ff:ff:ff +arp +42 +who-has 172\.16\.6\.251 tell/m);
		assert.match(frame, /TCP +@34 +sport 51000 +dport 22 .*flags SYN/);
		assert.match(frame, /^ +0000 +02 00 0d 4c 00 01 02 00 +0d 4c 00 03 08 00 45 00 +\.\.\.L\.\.\.\.\.L\.\.\.\.E\.$/m);
		await keys(app, 'j');
		await waitFor(app, (f) => f.includes('── packet 2'), 'the second packet');
		await keys(app, ENTER);
		frame = await waitFor(app, (f) => f.includes('(Enter: back to the list)'), 'the detail, full height');
		assert.doesNotMatch(frame, /51000 > 22/);
		assert.match(frame, /^ +0030 .* \.\.\.\.\.\.GET \/\.\]52;$/m);
		assert.match(frame, /^ +0040 .* c;aGk=\.\.\[2J HTTP$/m);
		assert.doesNotMatch(app.lastFrame()!, /\x1b\]52|\x1b\[2J|\x07/);
		app.unmount();
		capture.close();
	});
	test('f filters (a bad filter is refused where it goes wrong); t traces the selected packet with its own bytes, and says why an ARP frame cannot be', async () => {
		const { app, capture } = await opened();
		await keys(app, 'f', 'port');
		await waitFor(app, (f) => f.includes('✗ column 5: expected a port number, found the end'), 'the inline check');
		await keys(app, ENTER);
		await waitFor(app, (f) => f.includes('filter: column 5: expected a port number, found the end'), 'the filter refused');
		await keys(app, 'f', '\x15', 'arp or icmp', ENTER);
		let frame = await waitFor(app, (f) => f.includes('2 of 4 packets match'), 'the filtered list');
		assert.doesNotMatch(frame, /51000 > 22/);
		await keys(app, 't');
		await waitFor(app, (f) => f.includes('packet 3 is an ARP packet: netsleuth traces IPv4 and IPv6 packets'), 'why not');
		await keys(app, '/', '\x15', ENTER, 't');
		frame = await waitFor(app, (f) => f.includes('REJECTED'), 'the trace of packet 1');
		assert.match(frame, /Packet ▸ tcp 10\.2\.67\.113:51000 > 172\.16\.6\.251:22 mac 02:00:0d:4c:00:03/);
		assert.match(frame, /packet 1 of .*four\.pcap: traced with its own bytes/);
		assert.match(frame, /^REJECTED \(icmp-port-unreachable\) by filter\/INPUT rule 1/m);
		app.unmount();
		capture.close();
	});
	test('r replays the capture: a fate column, red for a refused packet (no colour with NO_COLOR), the answer in the detail', async () => {
		for (const colour of [true, false]) {
			const { app, capture } = await opened(colour);
			await keys(app, 'r');
			const frame = await waitFor(app, (f) => f.includes('replayed:'), 'the replay');
			assert.match(frame, /replayed: 1 rejected, 2 delivered, 1 skipped/);
			assert.match(frame, /^ +# fate +time/m);
			assert.match(frame, /^ +1 rejected +0\.000000/m);
			assert.match(frame, /^ +3 skipped +2\.000500/m);
			assert.match(frame, /replay: rejected filter\/INPUT #1 REJECT · conntrack NEW · flow 1/);
			if (colour) assert.match(app.lastFrame()!, /\x1b\[31m\x1b\[1mrejected|\x1b\[1m\x1b\[31mrejected/);
			else assert.doesNotMatch(app.lastFrame()!, /\x1b\[(3[0-7]|9[0-7]|4[0-7])m/);
			app.unmount();
			capture.close();
		}
	});
	test('a pass that failed is told on the filter line with its message made safe (a replay\'s error may quote the ruleset)', async () => {
		const { captureStatus } = await import('../../source/tui/views/CaptureView.js');
		const done = { bytes: 10, done: true };
		const file = { name: 'x.pcap', count: 4, shown: 4, size: 10, load: done, filterPass: done, byFate: new Map([['dropped', 1]]), replayPass: { ...done, error: 'chain loop: INPUT → A\x1b[2J → A\x1b[2J' } };
		const status = captureStatus(file as unknown as CaptureFile, null);
		assert.equal(status.error, 'x.pcap: chain loop: INPUT → A → A');
		assert.equal(status.text, '4 packets · replayed: 1 dropped');
	});
	test('a 50,000-packet capture: progress in the header until it is read, only the rows in view drawn, G goes to the last', async () => {
		const many = join(dir, 'many.pcap');
		const records = [0, 3].map((f) => g.pcapRecord({ sec: 1_700_000_000, nsec: 0, data: frames[f]! }));
		writeFileSync(many, Buffer.concat([g.pcapHeader(), ...Array.from({ length: 50_000 }, (_, i) => records[i % 2]!)]));
		const capture = CaptureFile.open(many);
		const app = render(<App host={host} colour={false} size={size} capture={capture} initial={{ view: 'capture' }} />);
		await waitFor(app, (f) => f.includes('· capture 0% read') && f.includes('0 packets · loading 0%'), 'the view before the load');
		await capture.start();
		let frame = await waitFor(app, (f) => f.includes('50,000 packets') && !f.includes('loading'), 'the loaded capture');
		await keys(app, 'j', 'j');
		await waitFor(app, (f) => f.includes('── packet 3 '), 'a move');
		await keys(app, 'G');
		frame = await waitFor(app, (f) => f.includes('── packet 50000 '), 'the last packet');
		assert.match(frame, /^ +50000 +0\.000000 +172\.16\.6\.24/m);
		assert.ok(frame.split('\n').length <= size.rows, 'one screen');
		assert.equal((frame.match(/^ +\d+ +\d+\.\d{6} /gm) ?? []).length, 13, 'the rows in the window (13 at 100×30) and no more');
		app.unmount();
		capture.close();
	});
	test('the packet form: f opens it on the packet of the line, a wrong field is marked, Ctrl-T gives the line back, Enter traces', async () => {
		const app = render(<App host={host} colour={false} size={size} />);
		await waitFor(app, (f) => f.includes('Packet ▸'), 'the first frame');
		await keys(app, EXERCISE, ESC, 'f');
		let frame = await waitFor(app, (f) => /protocol tcp +source 10\.2\.67\.113 +src port 51000/.test(f), 'the form');
		assert.match(frame, /in ens32 +destination 172\.16\.6\.251 +dst port 22/);
		assert.match(frame, /✓ tcp 10\.2\.67\.113:51000 > 172\.16\.6\.251:22 \[SYN\] NEW in ens32/);
		await keys(app, '\x1b[B', '\x1b[B', '\x1b[B', '\x1b[B', '\x1b[B', '\x15', '99999');
		frame = await waitFor(app, (f) => f.includes('✗ destination port must be a number from 0 to 65535, got "99999"'), 'the error');
		assert.match(frame, /✗ +dst port 99999/);
		await keys(app, '\x15', '22', '\x14');
		frame = await waitFor(app, (f) => f.includes('Packet ▸ tcp 10.2.67.113:51000 > 172.16.6.251:22 in ens32'), 'the line again');
		await keys(app, ENTER);
		await waitFor(app, (f) => /^REJECTED \(icmp-port-unreachable\) by filter\/INPUT rule 1/m.test(f), 'the trace');
		app.unmount();
	});
});
