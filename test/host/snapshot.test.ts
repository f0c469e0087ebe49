// Snapshot files: the format, its validation (one line naming the file and what is wrong, exit 1), the
// demo lab's snapshots, and the CLI's exit codes for a snapshot that is bad or a namespace that is not there.

import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Collected } from '../../source/host/collect.js';
import { DEMO_NAMES, loadDemo } from '../../source/host/demo/index.js';
import { buildHost } from '../../source/host/model.js';
import { makeSnapshot, parseSnapshot, serialiseSnapshot, SNAPSHOT_FORMAT } from '../../source/host/snapshot.js';
import { REPO } from '../support/paths.js';

const CLI = join(REPO, 'bin/netsleuth.js');
const dir = mkdtempSync(join(tmpdir(), 'netsleuth-snapshot-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const collected: Collected = {
	raw: { hostname: 'web1', iptables: '*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n', routes: '[{"dst":"10.0.0.0/8","dev":"eth0","flags":[]}]', sysctl: 'net.ipv4.ip_forward = 1\n' },
	missing: ['ipset: permission denied (run netsleuth as root, e.g. with sudo)'],
	meta: { hostname: 'web1', kernel: '6.1.0-18-amd64', time: '2026-01-02T03:04:05.000Z' },
};

test('a snapshot keeps every raw output, host name, kernel, time, netsleuth version, and what was missing', () => {
	const snapshot = makeSnapshot(collected);
	assert.equal(snapshot.format, SNAPSHOT_FORMAT);
	assert.equal(snapshot.formatVersion, 1);
	assert.match(snapshot.netsleuthVersion, /^\d+\.\d+\.\d+/);
	assert.deepEqual([snapshot.hostname, snapshot.kernel, snapshot.time], ['web1', '6.1.0-18-amd64', '2026-01-02T03:04:05.000Z']);
	assert.deepEqual(snapshot.commands['iptables'], ['iptables-save', '-c']);
	const loaded = parseSnapshot(serialiseSnapshot(snapshot), 'web1.json');
	assert.deepEqual(loaded.raw, collected.raw);
	assert.deepEqual(loaded.warnings, ['web1.json: when it was taken: ipset: permission denied (run netsleuth as root, e.g. with sudo)']);
	assert.equal(loaded.meta.kernel, '6.1.0-18-amd64');
});

test('an invalid snapshot is refused in one line that names the file and what is wrong', () => {
	const cases: [string, RegExp][] = [
		['{"format": "netsleuth-snapshot", ', /^bad\.json:1:34: not a netsleuth snapshot: invalid JSON: expected double-quoted property name$/],
		['[1, 2]', /^bad\.json: not a netsleuth snapshot: expected a JSON object$/],
		['{"hostname": "x"}', /^bad\.json: not a netsleuth snapshot: "format" is missing, expected "netsleuth-snapshot"/],
		['{"format": "netsleuth-snapshot", "formatVersion": 9, "outputs": {}}', /^bad\.json: snapshot format version 9 is not one this netsleuth reads/],
		['{"format": "netsleuth-snapshot", "formatVersion": 1}', /^bad\.json: "outputs" must be an object/],
		['{"format": "netsleuth-snapshot", "formatVersion": 1, "outputs": {"iptables": 5}}', /^bad\.json: outputs\.iptables must be a string/],
	];
	for (const [text, message] of cases) {
		assert.throws(() => parseSnapshot(text, 'bad.json'), (error: Error) => message.test(error.message) && !error.message.includes('\n'), text);
	}
});

test('the CLI: a bad snapshot exits 1 with one line; a bad output inside it names the file and the part', () => {
	const bad = join(dir, 'bad.json');
	writeFileSync(bad, '{"format": "netsleuth-snapshot", "formatVersion": 1, "outputs": {"routes": "[{\\"dst\\": 5}]"}}');
	const run = spawnSync(process.execPath, [CLI, 'show', 'routes', '--snapshot', bad], { encoding: 'utf8' });
	assert.equal(run.status, 1);
	assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
	assert.match(run.stderr, new RegExp(`^netsleuth: ${bad}: routes: routes\\[0\\]\\.dst: expected a string`));
	const missing = spawnSync(process.execPath, [CLI, 'show', 'links', '--snapshot', join(dir, 'nope.json')], { encoding: 'utf8' });
	assert.equal(missing.status, 1);
	assert.match(missing.stderr, /nope\.json: no such file or directory/);
});

test('the CLI: a namespace that does not exist exits 3 with one line saying what to do', () => {
	const run = spawnSync(process.execPath, [CLI, 'snapshot', '--netns', 'netsleuth-no-such-ns', '-o', join(dir, 'x.json')], { encoding: 'utf8' });
	assert.equal(run.status, 3);
	assert.equal(run.stderr, 'netsleuth: could not read netns netsleuth-no-such-ns: no network namespace named "netsleuth-no-such-ns" (ip netns list shows the names; create it with ip netns add, or drop --netns)\n');
	const show = spawnSync(process.execPath, [CLI, 'show', 'routes', '--netns', 'netsleuth-no-such-ns'], { encoding: 'utf8' });
	assert.equal(show.status, 3);
});

test('the CLI: snapshot takes only -o and --netns; show takes one of four views', () => {
	const run = spawnSync(process.execPath, [CLI, 'snapshot', '--demo'], { encoding: 'utf8' });
	assert.equal(run.status, 2);
	assert.match(run.stderr, /--demo does not apply/);
	const show = spawnSync(process.execPath, [CLI, 'show', 'everything', '--demo'], { encoding: 'utf8' });
	assert.equal(show.status, 2);
	assert.match(show.stderr, /usage: netsleuth show rules\|routes\|links\|bridges/);
});

test('the demo lab is a set of real snapshots (build-lab.sh records them with netsleuth snapshot --netns)', () => {
	for (const name of DEMO_NAMES) {
		const { raw } = loadDemo(name);
		assert.equal(raw.hostname, 'node0');
		for (const part of ['iptables', 'routes', 'ipRules', 'addresses', 'links', 'bridgeLinks', 'fdb', 'sysctl', 'nft'] as const) assert.equal(typeof raw[part], 'string', `${name}: ${part}`);
		const host = buildHost(raw);
		assert.ok(host.model.routing!.routes.some((r) => r.type === 'blackhole' && r.protocol === 'bird'), name);
	}
	const json = execFileSync(process.execPath, [CLI, 'show', 'bridges', '--demo', '--json'], { encoding: 'utf8' });
	const bridges = JSON.parse(json).bridges as { name: string; ports: { name: string }[] }[];
	assert.deepEqual(bridges.map((b) => [b.name, b.ports.map((p) => p.name)]), [['docker0', ['veth1', 'veth2']]]);
});
