import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
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
	test('--pcap without a terminal: the tables, and a warning that the Capture view needs one', () => {
		const { code, stdout, stderr, modules } = run(['--demo', 'reject-ip', '--pcap', '/nonexistent.pcap']);
		assert.equal(code, 0, stderr);
		assert.match(stdout, /^# iptables -t filter$/m);
		assert.match(stderr, /^netsleuth: warning: --pcap opens the Capture view on a terminal; without one, netsleuth pcap FILE lists the capture$/m);
		assert.deepEqual(loadsUi(modules), []);
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
