import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { REPO } from './support/paths.js';
import { buildFrame, writePcap } from './kernel/support/frames.js';

const BIN = join(REPO, 'bin', 'netsleuth.js');

function run(args: string[], input?: string): { code: number | null; stdout: string; stderr: string } {
	const result = spawnSync(process.execPath, [BIN, ...args], { input, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
	return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const tmp = mkdtempSync(join(tmpdir(), 'netsleuth-cli-'));
const file = (name: string, text: string) => {
	const path = join(tmp, name);
	writeFileSync(path, text);
	return path;
};

describe('netsleuth trace', () => {
	test('--json keeps the contract: packet, path, fate, verdict, steps, hits, assumptions', () => {
		const { code, stdout } = run(['trace', '--demo', 'reject-ip', '--json', 'tcp', '10.2.67.113:51000', '>', '172.16.6.251:22', 'in', 'ens32']);
		assert.equal(code, 0);
		const trace = JSON.parse(stdout);
		assert.deepEqual(trace.packet, { family: 4, proto: 'tcp', src: '10.2.67.113', dst: '172.16.6.251', sport: 51000, dport: 22, in: 'ens32', state: 'NEW', tcp_flags: 'SYN' });
		assert.equal(trace.path, 'input');
		assert.equal(trace.fate, 'rejected');
		assert.deepEqual(trace.verdict, { table: 'filter', chain: 'INPUT', rule: 1, target: 'REJECT', text: '-A INPUT -s 10.2.67.113/32 -j REJECT --reject-with icmp-port-unreachable' });
		assert.deepEqual(trace.hits.at(-1), { table: 'filter', chain: 'INPUT', type: 'rule', rule: 1, target: 'REJECT' });
		assert.ok(trace.steps.some((s: { kind: string }) => s.kind === 'routing'));
		assert.ok(trace.assumptions.some((a: string) => /conntrack state NEW/.test(a)));
	});
	test('flags and the expression describe the same packet', () => {
		const a = JSON.parse(run(['trace', '--demo', 'http-only', '--json', '--proto', 'tcp', '--src', '172.16.6.24', '--dst', '172.16.6.251', '--sport', '40000', '--dport', '80', '--in', 'ens32']).stdout);
		const b = JSON.parse(run(['trace', '--demo', 'http-only', '--json', 'tcp', '172.16.6.24:40000', '>', '172.16.6.251:80', 'in', 'ens32']).stdout);
		assert.deepEqual(a, b);
		assert.equal(a.fate, 'delivered');
	});
	test('the human form names the deciding rule and the fate in one sentence', () => {
		const { stdout } = run(['trace', '--demo', 'http-only', 'tcp', '172.16.6.24:40000', '>', '172.16.6.251:22', 'in', 'ens32']);
		assert.match(stdout, /^DROPPED by filter\/INPUT policy DROP$/m);
		assert.match(stdout, /✗ 1 +-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT\n +destination port 22 is not 80/);
	});
	test('rules from stdin, and a forward trace that shows the DNAT rewrite', () => {
		const rules = '*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -p tcp --dport 8080 -j DNAT --to-destination 10.9.0.2:80\nCOMMIT\n*filter\n:FORWARD DROP [0:0]\n-A FORWARD -d 10.9.0.2 -p tcp --dport 80 -j ACCEPT\nCOMMIT\n';
		const { code, stdout } = run(['trace', '--rules', '-', '--json', 'tcp', '10.2.67.113:40000', '>', '10.2.67.1:8080', 'in', 'eth0', 'out', 'eth1'], rules);
		assert.equal(code, 0);
		const trace = JSON.parse(stdout);
		assert.equal(trace.fate, 'forwarded');
		assert.equal(trace.final.dst, '10.9.0.2');
		assert.equal(trace.final.dport, 80);
		const rewrite = trace.steps.find((s: { kind: string }) => s.kind === 'rewrite');
		assert.equal(rewrite.before.dst, '10.2.67.1');
		assert.equal(rewrite.after.dst, '10.9.0.2');
		assert.ok(trace.assumptions.some((a: string) => /no routes given/.test(a)));
	});
	test('a bad ruleset: exit 1 and one line naming file:line:column', () => {
		const path = file('bad.rules', '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp -m tcp --dport 99999 -j ACCEPT\nCOMMIT\n');
		const { code, stderr } = run(['trace', '--rules', path, 'tcp', '1.2.3.4:5', '>', '5.6.7.8:80', 'in', 'eth0']);
		assert.equal(code, 1);
		assert.equal(stderr.trim().split('\n').length, 1);
		assert.match(stderr, new RegExp(`${path}:3:32: expected port`));
	});
	test('usage errors exit 2 with one line', () => {
		for (const args of [['frobnicate'], ['trace', '--wat'], ['trace', '--demo'], ['route', 'get']]) {
			const { code, stderr } = run(args);
			assert.equal(code, 2, args.join(' '));
			assert.equal(stderr.trim().split('\n').length, 1, stderr);
		}
	});
	test('a bad packet exits 1 and says what is wrong', () => {
		const { code, stderr } = run(['trace', '--demo', 'tcp', '1.2.3.4:5', '>', '5.6.7:80', 'in', 'eth0']);
		assert.equal(code, 1);
		assert.match(stderr, /destination "5.6.7" is not an IP address/);
	});
	test('terminal control sequences in a rule comment never reach the terminal', () => {
		const path = file('evil.rules', '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m comment --comment "\x1b]52;c;ZXZpbA==\x07\x1b[2J" -j DROP\nCOMMIT\n');
		const human = run(['trace', '--rules', path, 'udp', '1.2.3.4:5', '>', '5.6.7.8:53', 'in', 'eth0']);
		assert.equal(human.code, 0);
		assert.doesNotMatch(human.stdout, /\x1b/);
		const json = run(['trace', '--rules', path, '--json', 'udp', '1.2.3.4:5', '>', '5.6.7.8:53', 'in', 'eth0']);
		assert.match(JSON.parse(json.stdout).verdict.text, /\x1b\]52/);
	});
});

describe('netsleuth trace --pcap FILE --packet N', () => {
	test('traces a captured packet: the handout’s refused ssh from 10.2.67.113, its arrival from the route back', () => {
		const path = join(tmp, 'ssh.pcap');
		writePcap(path, [
			buildFrame({ family: 4, proto: 'udp', src: '172.16.6.24', dst: '172.16.6.251', sport: 5353, dport: 53 }),
			buildFrame({ family: 4, proto: 'tcp', src: '10.2.67.113', dst: '172.16.6.251', sport: 51000, dport: 22, tcpFlags: 'SYN' }),
		]);
		const { code, stdout, stderr } = run(['trace', '--demo', 'reject-ip', '--pcap', path, '--packet', '2', '--json']);
		assert.equal(code, 0, stderr);
		const trace = JSON.parse(stdout);
		assert.equal(trace.packet.src, '10.2.67.113');
		assert.equal(trace.packet.dport, 22);
		assert.equal(trace.packet.tcp_flags, 'SYN');
		assert.equal(trace.fate, 'rejected');
		assert.ok(trace.assumptions.some((a: string) => /arrival interface ens32/.test(a)));
		const missing = run(['trace', '--demo', '--pcap', path, '--packet', '3']);
		assert.equal(missing.code, 1);
		assert.match(missing.stderr, /has 2 packets, no packet 3/);
	});
});

describe('netsleuth route get', () => {
	test('--json keeps the contract on the demo lab’s Calico routes', () => {
		const cases: [string, object][] = [
			['192.0.2.101', { type: 'unicast', dst: '192.0.2.101/32', dev: 'ens32', gateway: '172.16.6.24', table: 'main' }],
			['192.0.2.100', { type: 'unicast', dst: '192.0.2.100/32', dev: 'calic1364fb7922', gateway: null, table: 'main' }],
			['192.0.2.70', { type: 'blackhole', dst: '192.0.2.64/26', table: 'main' }],
			['172.16.6.251', { type: 'local', dev: 'lo', table: 'main' }], // local and main are one table until a rule is added (ip route get says main too)
		];
		for (const [dst, expected] of cases) {
			const { code, stdout } = run(['route', 'get', dst, '--demo', '--json']);
			assert.equal(code, 0);
			const decision = JSON.parse(stdout);
			for (const key of ['type', 'dst', 'dev', 'gateway', 'prefsrc', 'table', 'rule']) assert.ok(key in decision, key);
			assert.deepEqual(Object.fromEntries(Object.keys(expected).map((k) => [k, decision[k]])), expected, dst);
		}
	});
});
