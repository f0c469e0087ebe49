import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import * as g from '../../bench/capture-gen.js';
import { REPO } from '../support/paths.js';

/**
 * Issue 7, terminal safety: text that came from input — a rule comment, an interface name, a packet's
 * bytes — carrying escape sequences (CSI ESC[2J, OSC 52 clipboard write, DCS), C1 controls and
 * bidirectional overrides reaches the human output of the real CLI cleaned, and the --json output exact.
 */
const BIN = join(REPO, 'bin', 'netsleuth.js');

/** Clears the screen, writes the clipboard, queries the terminal (DCS), 8-bit CSI and NEL, bidi overrides and isolates. */
const HOSTILE = '\x1b[2J\x1b]52;c;ZWNobyBwd25lZA==\x07\x1bP+q544e\x1b\\\u009b31m\u0085\u009d52;c;AA\u009c\u202eevil\u202c\u2066x\u2069';
/** What a terminal acts on or reorders: C0 but tab and newline, DEL, C1, bidi marks, overrides and isolates. */
const UNSAFE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

function run(args: string[]): { code: number | null; stdout: string; stderr: string } {
	const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
	return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function assertClean(text: string, what: string): void {
	const m = UNSAFE.exec(text);
	assert.equal(m, null, m ? `${what} carries U+${m[0].codePointAt(0)!.toString(16).padStart(4, '0')} at ${m.index}: ${JSON.stringify(text.slice(Math.max(0, m.index - 40), m.index + 20))}` : '');
}

/** Every string in a JSON document. */
function strings(value: unknown, out: string[] = []): string[] {
	if (typeof value === 'string') out.push(value);
	else if (Array.isArray(value)) for (const v of value) strings(v, out);
	else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) strings(v, out);
	return out;
}

const tmp = mkdtempSync(join(tmpdir(), 'netsleuth-terminal-'));
const file = (name: string, content: string | Uint8Array) => {
	const path = join(tmp, name);
	writeFileSync(path, content);
	return path;
};

/** The rule as written: inside quotes, iptables-save escapes a backslash with a backslash. */
const COMMENT_RULE = `-A INPUT -p tcp -m tcp --dport 22 -m comment --comment "${HOSTILE.replace(/\\/g, '\\\\')}" -j ACCEPT`;
const RULES = file('rules.txt', `*filter
:INPUT DROP [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
${COMMENT_RULE}
-A INPUT -p tcp -m tcp --dport 23 -j LOG --log-prefix "\x1b]52;c;AA\x07\u202e"
COMMIT
`);

const IFNAME = `eth0${HOSTILE}`;
const LINKS = file('addr.json', JSON.stringify([
	{ ifindex: 1, ifname: 'lo', flags: ['LOOPBACK', 'UP', 'LOWER_UP'], mtu: 65536, operstate: 'UNKNOWN', link_type: 'loopback', address: '00:00:00:00:00:00', addr_info: [{ family: 'inet', local: '127.0.0.1', prefixlen: 8, scope: 'host', label: 'lo' }] },
	{ ifindex: 2, ifname: IFNAME, flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], mtu: 1500, operstate: 'UP', link_type: 'ether', address: '02:00:00:00:00:01', addr_info: [{ family: 'inet', local: '10.0.0.1', prefixlen: 24, scope: 'global', label: IFNAME }] },
]));

describe('terminal safety: a ruleset comment', () => {
	test('show rules: the table has the comment cleaned; --json has it exact', () => {
		const human = run(['show', 'rules', '--rules', RULES]);
		assert.equal(human.code, 0, human.stderr);
		assertClean(human.stdout, 'show rules');
		assert.match(human.stdout, /evil/, 'the comment is shown (cleaned), not dropped');
		const json = run(['show', 'rules', '--rules', RULES, '--json']);
		assert.equal(json.code, 0, json.stderr);
		assert.ok(strings(JSON.parse(json.stdout)).some((s) => s.includes(HOSTILE)), 'the comment, exact, in the JSON');
	});
	test('trace: the human trace has the deciding rule cleaned; --json has its text exact', () => {
		const packet = ['tcp', '10.0.0.9:40000', '>', '10.0.0.1:22', 'in', 'eth0'];
		const human = run(['trace', '--rules', RULES, '--verbose', ...packet]);
		assert.equal(human.code, 0, human.stderr);
		assertClean(human.stdout, 'trace');
		assert.match(human.stdout, /--comment .*evil/);
		const json = run(['trace', '--rules', RULES, '--json', ...packet]);
		assert.equal(json.code, 0, json.stderr);
		assert.equal(JSON.parse(json.stdout).verdict.text, COMMENT_RULE, 'verdict.text is the rule exactly as written');
	});
	test('the overview (netsleuth without a command, no terminal) is cleaned too', () => {
		const overview = run(['--rules', RULES, '--links', LINKS]);
		assert.equal(overview.code, 0, overview.stderr);
		assertClean(overview.stdout, 'the overview');
	});
});

describe('terminal safety: an interface name (ip -j addr)', () => {
	test('show links: the table has the name cleaned; --json has it exact', () => {
		const human = run(['show', 'links', '--links', LINKS]);
		assert.equal(human.code, 0, human.stderr);
		assertClean(human.stdout, 'show links');
		assert.match(human.stdout, /eth0.*evil/);
		const json = run(['show', 'links', '--links', LINKS, '--json']);
		assert.equal(json.code, 0, json.stderr);
		const names = (JSON.parse(json.stdout) as { links: { name: string; addresses: { label?: string }[] }[] }).links.map((l) => l.name);
		assert.ok(names.includes(IFNAME), `the exact name among ${JSON.stringify(names)}`);
	});
	test('trace and route get from that interface: human output cleaned', () => {
		const trace = run(['trace', '--rules', RULES, '--links', LINKS, 'tcp', '10.0.0.9:40000', '>', '10.0.0.1:22', 'in', IFNAME]);
		assert.equal(trace.code, 0, trace.stderr);
		assertClean(trace.stdout, 'trace in the hostile interface');
		const route = run(['route', 'get', '10.0.0.1', '--links', LINKS, '--iif', IFNAME]);
		assertClean(route.stdout, 'route get');
	});
});

describe('terminal safety: a packet payload (netsleuth pcap)', () => {
	const A = '02:00:00:00:00:0a';
	const payload = Buffer.from(HOSTILE, 'utf8');
	const frames = [
		// A DNS query whose name carries the sequences (the summary shows DNS names).
		g.eth(A, A, 0x0800, g.ipv4('10.0.0.1', '10.0.0.2', 17, g.udp(40000, 53, g.dnsQuery(7, `a${HOSTILE}.example`, 1)))),
		// A TCP segment whose data is the sequences.
		g.eth(A, A, 0x0800, g.ipv4('10.0.0.1', '10.0.0.2', 6, g.tcp(40000, 80, payload, { flags: 0x18 }))),
		// The sequences as a whole frame of an unknown EtherType.
		g.eth(A, A, 0x88b5, payload),
	];
	const records = frames.map((data, i) => ({ sec: 1_700_000_000 + i, nsec: 0, data }));
	const pcap = file('hostile.pcap', g.pcapFile(records));
	const pcapng = file('hostile.pcapng', g.pcapngFile([{ le: true, interfaces: [{ linkType: 1, name: IFNAME }], records }]));

	for (const capture of [pcap, pcapng]) {
		test(`${capture.endsWith('ng') ? 'pcapng (with the name as if_name)' : 'pcap'}: the table is cleaned; --json lines parse`, () => {
			const human = run(['pcap', capture]);
			assert.equal(human.code, 0, human.stderr);
			assertClean(human.stdout, 'pcap table');
			assert.match(human.stdout, /example/, 'the DNS name is shown');
			const json = run(['pcap', capture, '--json']);
			assert.equal(json.code, 0, json.stderr);
			const lines = json.stdout.trim().split('\n').map((line) => JSON.parse(line) as { n: number; in?: string; summary: string });
			assert.equal(lines.length, frames.length);
			if (capture.endsWith('ng')) for (const line of lines) assert.equal(line.in, IFNAME, 'if_name exact');
		});
	}
});

describe('terminal safety: standard error and chain names in the human trace', () => {
	test('warnings and errors on standard error are cleaned', () => {
		const rules = file('warn.txt', '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j TARGET\u009b2J\u202e\nCOMMIT\n');
		const warned = run(['show', 'rules', '--rules', rules]);
		const bad = file('bad.txt', '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 2\x1b[2J2 -j ACCEPT\nCOMMIT\n');
		const failed = run(['show', 'rules', '--rules', bad]);
		assert.equal(failed.code, 1);
		assertClean(warned.stderr, 'a warning');
		assertClean(failed.stderr, 'an error');
	});
	test('a user chain name in the human trace is cleaned', () => {
		const rules = file('chain.txt', '*filter\n:INPUT ACCEPT [0:0]\n:X\x1b[2J\u202e - [0:0]\n-A INPUT -j X\x1b[2J\u202e\n-A X\x1b[2J\u202e -j DROP\nCOMMIT\n');
		const trace = run(['trace', '--rules', rules, 'tcp', '10.0.0.9:40000', '>', '10.0.0.1:22', 'in', 'eth0']);
		assert.equal(trace.code, 0, trace.stderr);
		assertClean(trace.stdout, 'trace through a chain named with ESC[2J');
	});
});
