import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { TuiHost } from '../../source/tui/App.js';
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
