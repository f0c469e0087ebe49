import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import * as g from '../../bench/capture-gen.js';
import { REPO } from '../support/paths.js';

const BIN = join(REPO, 'bin', 'netsleuth.js');
const RECORDER = join(REPO, 'dist', 'test', 'tui', 'support', 'record-imports.js');

/** Runs the CLI with pipes for stdin and stdout (no terminal), recording the modules it loads. */
function run(args: string[]): { code: number | null; stdout: string; stderr: string; modules: string[] } {
	const record = join(mkdtempSync(join(tmpdir(), 'netsleuth-imports-')), 'modules.txt');
	const result = spawnSync(process.execPath, ['--import', RECORDER, BIN, ...args], {
		encoding: 'utf8', input: '', env: { ...process.env, NO_COLOR: '1', NETSLEUTH_RECORD_IMPORTS: record },
	});
	let modules: string[] = [];
	try {
		modules = readFileSync(record, 'utf8').split('\n').filter(Boolean);
	} catch {
		// Nothing recorded.
	}
	return { code: result.status, stdout: result.stdout, stderr: result.stderr, modules };
}

const loadsUi = (modules: readonly string[]) => modules.filter((url) => /\/node_modules\/(ink|react|yoga-layout)\/|\/dist\/source\/tui\/(index|App)\.js$/.test(url));

describe('netsleuth without a command', () => {
	test('not on a terminal it prints the rules, routes and interfaces tables and exits, without loading ink or React', () => {
		const { code, stdout, stderr, modules } = run(['--demo', 'reject-ip']);
		assert.equal(code, 0, stderr);
		assert.match(stdout, /^# iptables -t filter$/m);
		assert.match(stdout, /^Chain INPUT \(policy ACCEPT 0 packets, 0 bytes\)$/m);
		assert.match(stdout, /REJECT .*10\.2\.67\.113/);
		assert.match(stdout, /^# ip route show table all$/m);
		assert.match(stdout, /192\.0\.2\.101 via 172\.16\.6\.24 dev ens32 proto bird/);
		assert.match(stdout, /│ docker0 +│ bridge/);
		assert.doesNotMatch(stdout, /\x1b/);
		assert.ok(modules.some((url) => url.endsWith('/dist/source/tui/overview.js')), 'the recorder saw the overview load');
		assert.deepEqual(loadsUi(modules), []);
	});
	test('--pcap without a terminal: what netsleuth pcap FILE prints, and with a source what pcap FILE --trace prints', () => {
		const mac = '02:00:0d:4c:00:03';
		const capture = join(mkdtempSync(join(tmpdir(), 'netsleuth-pcap-')), 'ssh.pcap');
		writeFileSync(capture, g.pcapFile([
			{ sec: 1_700_000_000, nsec: 0, data: g.eth('02:00:0d:4c:00:01', mac, 0x0800, g.ipv4('10.2.67.113', '172.16.6.251', 6, g.tcp(51000, 22, new Uint8Array(0), { flags: 0x02 }))) },
			{ sec: 1_700_000_001, nsec: 0, data: g.eth('02:00:0d:4c:00:01', mac, 0x0800, g.ipv4('172.16.6.24', '172.16.6.251', 6, g.tcp(40000, 22, new Uint8Array(0), { flags: 0x02 }))) },
		]));
		const listed = run(['--pcap', capture]);
		assert.equal(listed.code, 0, listed.stderr);
		assert.equal(listed.stdout, run(['pcap', capture]).stdout);
		assert.match(listed.stdout, /│ 1 +│ 2023-11-14 22:13:20\.000000 │ 10\.2\.67\.113 +│ 172\.16\.6\.251 │ tcp/);
		assert.deepEqual(loadsUi(listed.modules), []);
		const traced = run(['--demo', 'reject-ip', '--pcap', capture]);
		assert.equal(traced.code, 0, traced.stderr);
		assert.equal(traced.stdout, run(['pcap', capture, '--trace', '--demo', 'reject-ip']).stdout);
		assert.match(traced.stdout, /│ 1 .*│ NEW +│ rejected filter\/INPUT #\d+ REJECT +│/);
		assert.match(traced.stdout, /│ 2 .*│ NEW +│ delivered /);
		assert.deepEqual(loadsUi(traced.modules), []);
		const json = run(['--pcap', capture, '--json', '--filter', 'host 172.16.6.24']);
		assert.deepEqual(json.stdout.trimEnd().split('\n').map((line) => JSON.parse(line).n), [2]);
		const missing = run(['--demo', 'reject-ip', '--pcap', '/nonexistent.pcap']);
		assert.equal(missing.code, 1);
		assert.match(missing.stderr, /^netsleuth: \/nonexistent\.pcap: cannot read it \(ENOENT\)$/m);
		rmSync(dirname(capture), { recursive: true });
	});
	test('one-shot commands never load the TUI either', () => {
		for (const args of [['trace', '--demo', 'reject-ip', 'tcp', '10.2.67.113:51000', '>', '172.16.6.251:22', 'in', 'ens32'], ['show', 'routes', '--demo'], ['route', 'get', '192.0.2.101', '--demo']]) {
			const { code, stderr, modules } = run(args);
			assert.equal(code, 0, stderr);
			assert.ok(modules.length > 10, 'the recorder works');
			assert.deepEqual(loadsUi(modules), [], args.join(' '));
		}
	});
	test('a source that cannot be read fails in the shell, before any screen is taken', () => {
		const { code, stdout, stderr } = run(['--rules', '/nonexistent/rules.txt']);
		assert.equal(code, 1);
		assert.equal(stdout, '');
		assert.match(stderr, /^netsleuth: \/nonexistent\/rules\.txt: no such file$/m);
	});
});
