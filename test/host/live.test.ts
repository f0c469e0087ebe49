// In network namespaces (root only; skipped with a notice otherwise, failed when CI=true): builds the real
// topology of test/links/fixtures/topology.sh, collects it, and checks (1) the model, (2) that every process
// netsleuth spawned is on the allow-list — the exact argv, recorded by the Runner and, when strace is
// installed, by the kernel's own execve trace of the CLI — (3) that a snapshot loaded later shows and
// traces exactly what the live namespace does, and (4) that no command changes iptables, ip6tables, ip rule,
// ip route, link state, ipsets or the nft ruleset. Everything created is deleted afterwards.

import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderShow, SHOW_WHAT } from '../../source/commands/show.js';
import type { ResolvedSource } from '../../source/commands/sources.js';
import { ALLOWED_COMMANDS, collectLiveHost, execaRunner, isAllowedArgv, type Runner, spawnArgv } from '../../source/host/collect.js';
import { buildHost } from '../../source/host/model.js';
import { loadSnapshot } from '../../source/host/snapshot.js';
import { buildLinks } from '../../source/links/parse.js';
import { packetFromSpec } from '../../source/packet/spec.js';
import { tracePacket } from '../../source/trace/pipeline.js';
import { decideKernelRun, type Testability } from '../kernel/support/netns.js';
import { execves, hasStrace } from '../support/execve.js';
import { REPO } from '../support/paths.js';

const CLI = join(REPO, 'bin/netsleuth.js');
const TOPOLOGY = join(REPO, 'test/links/fixtures/topology.sh');
const prefix = `nsltk-${process.pid}-live`;
const ns = `${prefix}-h`;
const dir = mkdtempSync(join(tmpdir(), 'netsleuth-live-'));

function testability(): Testability {
	if (process.platform !== 'linux') return { ok: false, reason: `not Linux (${process.platform})` };
	if (process.getuid?.() !== 0) return { ok: false, reason: 'not root' };
	for (const tool of ['ip', 'bridge', 'iptables-restore', 'ipset']) {
		if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return { ok: false, reason: `missing ${tool}` };
	}
	return { ok: true };
}

const ready = testability();
let built = false;

test.before(() => {
	if (!ready.ok) return;
	execFileSync('bash', [TOPOLOGY, 'down', prefix]);
	execFileSync('bash', [TOPOLOGY, 'up', prefix], { stdio: ['ignore', 'ignore', 'pipe'] });
	built = true;
});

test.after(() => {
	if (built) execFileSync('bash', [TOPOLOGY, 'down', prefix]);
	rmSync(dir, { recursive: true, force: true });
});

function inNs(...argv: string[]): string {
	return execFileSync('ip', ['netns', 'exec', ns, ...argv], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
}

/** Everything the checks say must not change; counters are zeroed (traffic moves them, netsleuth does not). */
function hostState(): Record<string, string> {
	const zero = (text: string) => text.replace(/\[\d+:\d+\]/g, '[0:0]').replace(/^# (Generated|Completed) .*$/gm, '').replace(/counter packets \d+ bytes \d+/g, 'counter');
	return {
		iptables: zero(inNs('iptables-save', '-c')),
		ip6tables: zero(inNs('ip6tables-save', '-c')),
		ipRule: inNs('ip', 'rule'),
		ipRule6: inNs('ip', '-6', 'rule'),
		ipRoute: inNs('ip', 'route', 'show', 'table', 'all'),
		ipRoute6: inNs('ip', '-6', 'route', 'show', 'table', 'all'),
		links: inNs('ip', '-o', 'link'),
		addresses: inNs('ip', '-o', 'addr').replace(/ tentative/g, ''),
		ipset: inNs('ipset', 'save'),
		nft: zero(inNs('nft', 'list', 'ruleset')),
	};
}

test('live namespace: the collector spawns exactly the allow-listed argv, and the model is the topology built', async (t) => {
	if (!decideKernelRun(ready, process.env, t)) return;
	const calls: string[][] = [];
	const recorder: Runner = { run: (argv, options) => (calls.push([...argv]), execaRunner.run(argv, options)) };
	const collected = await collectLiveHost(ns, { runner: recorder });
	assert.ok(calls.every(isAllowedArgv), calls.map((c) => c.join(' ')).join('\n'));
	const expected = [...Object.values(ALLOWED_COMMANDS).map((argv) => spawnArgv(argv, ns).join(' ')), `ip netns exec ${ns} sysctl -e`].sort();
	assert.deepEqual(calls.map((c) => (c.includes('sysctl') ? c.slice(0, 6) : c).join(' ')).sort(), expected);
	assert.ok(calls.find((c) => c.includes('sysctl'))!.includes('net.ipv4.conf.br0.rp_filter'));
	assert.deepEqual(collected.missing, []);

	const links = buildLinks({ links: collected.raw.links, addresses: collected.raw.addresses, bridgeLinks: collected.raw.bridgeLinks, fdb: collected.raw.fdb, bridgeVlans: collected.raw.bridgeVlans, netnsIds: collected.raw.netnsIds });
	const kind = (name: string) => links.links.find((l) => l.name === name)?.kind;
	assert.deepEqual(['lo', 'uplink', 'va', 'br0', 'vb1', 'vx100', 'vxlan42', 'tap0', 'tun0'].map(kind), ['loopback', 'veth', 'veth', 'bridge', 'veth', 'vxlan', 'vxlan', 'tap', 'tun']);
	assert.equal(links.links.find((l) => l.name === 'uplink')?.veth?.peerNetns, `${prefix}-l`);
	assert.deepEqual(links.bridges.map((b) => [b.name, b.ports.map((p) => `${p.name}:${p.state}`)]), [['br0', ['vb1:forwarding', 'vb2:forwarding', 'vx100:forwarding']]]);
	assert.ok(links.bridges[0]!.fdb.some((e) => e.mac === '02:00:00:00:0e:01' && e.port === 'vb1' && e.state === 'static'));
	assert.equal(links.links.find((l) => l.name === 'vxlan42')?.vxlan?.remote, '192.0.2.50');

	const host = buildHost(collected.raw).model;
	assert.deepEqual(host.facts.ipsets.get('allowed'), { type: 'hash:ip', members: ['10.10.0.11'] });
	assert.deepEqual(host.routing!.rules.filter((r) => r.family === 4).map((r) => [r.priority, r.action, r.table ?? null]), [
		[0, 'lookup', 'local'], [100, 'lookup', '100'], [200, 'lookup', '200'], [300, 'blackhole', null], [400, 'lookup', 'main'], [32766, 'lookup', 'main'], [32767, 'lookup', 'default'],
	]);
	assert.equal(host.sysctl.get('net.ipv4.conf.br0.rp_filter'), '0');
	assert.ok(host.sysctl.has('net.netfilter.nf_conntrack_count'));
	assert.equal(host.rules4!.tables.get('filter')!.chains.get('INPUT')!.policy, 'DROP');
});

test('round trip: a snapshot of the namespace, loaded later without tools, shows and traces what the namespace does', async (t) => {
	if (!decideKernelRun(ready, process.env, t)) return;
	const file = join(dir, 'roundtrip.json');
	execFileSync(process.execPath, [CLI, 'snapshot', '--netns', ns, '-o', file], { encoding: 'utf8' });
	const noCounters = (json: string) => JSON.stringify(JSON.parse(json), (key, value) => (['pkts', 'bytes', 'packets'].includes(key) ? 0 : value));
	for (const what of SHOW_WHAT) {
		const live = execFileSync(process.execPath, [CLI, 'show', what, '--json', '--netns', ns], { encoding: 'utf8' });
		const saved = execFileSync(process.execPath, [CLI, 'show', what, '--json', '--snapshot', file], { encoding: 'utf8' });
		assert.equal(noCounters(saved), noCounters(live), what);
	}
	// The same HostModel both ways: identical traces for packets through each path.
	const snapshot = await loadSnapshot(file);
	const collected = await collectLiveHost(ns);
	const fromLive: ResolvedSource = { ...buildHost(collected.raw), label: 'live', raw: collected.raw, origins: {} };
	const fromFile: ResolvedSource = { ...buildHost(snapshot.raw, snapshot.origins), label: 'file', raw: snapshot.raw, origins: snapshot.origins };
	const packets = [
		{ proto: 'tcp', src: '10.20.0.254', dst: '10.20.0.1', sport: '40000', dport: '22', in: 'uplink' },
		{ proto: 'tcp', src: '10.2.67.113', dst: '10.20.0.1', sport: '40000', dport: '80', in: 'uplink' },
		{ proto: 'udp', src: '10.10.0.11', dst: '10.10.0.1', sport: '5353', dport: '53', in: 'br0' },
		{ proto: 'tcp', src: '198.51.100.7', dst: '10.20.0.1', sport: '40000', dport: '8080', in: 'uplink' },
		{ proto: 'icmp', src: '10.20.0.1', dst: '198.51.100.9', local: true },
		{ proto: 'tcp', src: '10.10.0.11', dst: '198.51.100.9', sport: '40000', dport: '443', in: 'br0' },
	];
	for (const spec of packets) {
		const a = JSON.stringify(tracePacket(fromLive.model, packetFromSpec(spec)));
		const b = JSON.stringify(tracePacket(fromFile.model, packetFromSpec(spec)));
		assert.equal(b, a, JSON.stringify(spec));
	}
	assert.equal(renderShow('links', fromFile, false), renderShow('links', fromLive, false));
});

test('netsleuth changes nothing, and every process it starts is on the allow-list (execve traced by the kernel)', async (t) => {
	if (!decideKernelRun(ready, process.env, t)) return;
	const strace = hasStrace();
	if (!strace) t.diagnostic('strace is not installed: the spawned argv are checked through the recording Runner only (previous test)');
	const commands = [
		['snapshot', '--netns', ns, '-o', join(dir, 'nochange.json')],
		...SHOW_WHAT.map((what) => ['show', what, '--netns', ns]),
		['trace', '--netns', ns, 'tcp', '10.20.0.254:40000', '>', '10.20.0.1:22', 'in', 'uplink'],
		['route', 'get', '198.51.100.9', '--netns', ns],
	];
	let before = hostState();
	for (const argv of commands) {
		const traceFile = join(dir, 'execve.txt');
		const run = strace
			? spawnSync('strace', ['-f', '-qq', '-e', 'trace=execve', '-s', '4096', '-o', traceFile, process.execPath, CLI, ...argv], { encoding: 'utf8' })
			: spawnSync(process.execPath, [CLI, ...argv], { encoding: 'utf8' });
		assert.equal(run.status, 0, `${argv.join(' ')}: ${run.stderr}`);
		const after = hostState();
		for (const key of Object.keys(before)) assert.equal(after[key], before[key], `${argv.join(' ')} changed ${key}`);
		before = after;
		if (!strace) continue;
		const spawned = execves(traceFile).slice(1); // the first is node itself
		assert.ok(spawned.length >= Object.keys(ALLOWED_COMMANDS).length, `${argv.join(' ')}: ${spawned.length} execve`);
		for (const call of spawned) assert.ok(isAllowedArgv(call), `${argv.join(' ')} spawned ${JSON.stringify(call)}`);
	}
});
