// netsleuth show: the rules view against the real `iptables -L -n -v --line-numbers`, the routes view
// against the real `ip route show table all` (both recorded by test/links/fixtures/capture.sh from the
// same namespace as the snapshot topology.json), terminal-safe output, and no TUI code on this path.

import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { renderShow, routeLine, ruleRow } from '../../source/commands/show.js';
import type { ResolvedSource } from '../../source/commands/sources.js';
import { buildHost, type RawHostState } from '../../source/host/model.js';
import { parseSnapshot } from '../../source/host/snapshot.js';
import { REPO } from '../support/paths.js';

const FIXTURES = join(REPO, 'test/links/fixtures');
const CLI = join(REPO, 'bin/netsleuth.js');
const snapshot = parseSnapshot(readFileSync(join(FIXTURES, 'topology.json'), 'utf8'), 'topology.json');

function resolved(raw: RawHostState): ResolvedSource {
	return { ...buildHost(raw), label: 'test', raw, origins: {} };
}

const host = resolved(snapshot.raw);
const PROTOCOL_NUMBERS: Record<string, string> = { 0: 'all', 1: 'icmp', 6: 'tcp', 17: 'udp' };

test('rules view: every rule has the columns iptables -L -n -v --line-numbers prints for it', () => {
	let compared = 0;
	for (const table of ['filter', 'nat', 'mangle']) {
		const listing = readFileSync(join(FIXTURES, 'iptables-L', table), 'utf8');
		let chain = '';
		for (const line of listing.split('\n')) {
			const header = /^Chain (\S+) \((?:policy (\S+)|(\d+) references)/.exec(line);
			if (header) {
				chain = header[1]!;
				const c = host.model.rules4!.tables.get(table)!.chains.get(chain)!;
				if (header[2]) assert.equal(c.policy, header[2], `${table} ${chain} policy`);
				continue;
			}
			const words = line.trim().split(/\s+/);
			if (!/^\d+$/.test(words[0] ?? '')) continue;
			const c = host.model.rules4!.tables.get(table)!.chains.get(chain)!;
			const num = Number(words[0]);
			const row = ruleRow(c.rules[num - 1]!, num);
			// num pkts bytes target prot opt in out source destination [extra]
			const hasTarget = !/^(--|-f|!f)$/.test(words[4]!);
			const cols = hasTarget ? words : [words[0], words[1], words[2], '', ...words.slice(3)];
			assert.equal(row.target, cols[3], `${table} ${chain} ${num} target`);
			assert.equal(row.prot, PROTOCOL_NUMBERS[cols[4]!] ?? cols[4], `${table} ${chain} ${num} prot`);
			assert.deepEqual([row.opt, row.in, row.out, row.source, row.destination], cols.slice(5, 10), `${table} ${chain} ${num} columns`);
			const extraAt = line.indexOf(cols[9]!, line.indexOf(cols[8]!) + cols[8]!.length) + cols[9]!.length;
			assert.equal(row.extra, line.slice(extraAt).trim(), `${table} ${chain} ${num} extra`);
			compared++;
		}
	}
	assert.equal(compared, 15);
});

test('routes view: each route line is what ip route show table all printed for it', () => {
	const expected = readFileSync(join(FIXTURES, 'ip-route.txt'), 'utf8').replace(/ +$/gm, '').replace(/\n\tnexthop/g, '\u0000nexthop').trim().split('\n');
	const routes = host.model.routing!.routes;
	const lines = routes.map((r) => routeLine(r).replace(/\n\tnexthop/g, '\u0000nexthop'));
	assert.equal(lines.length, expected.length);
	assert.deepEqual(lines, expected);
	assert.ok(lines.includes('blackhole 192.0.2.64/26 proto bird'));
	assert.ok(lines.includes('192.0.2.200 dev uplink scope link src 10.20.0.1'));
	assert.ok(lines.includes('172.30.0.0/16\u0000nexthop via 10.20.0.253 dev uplink weight 1\u0000nexthop via 10.20.0.254 dev uplink weight 2'));
});

test('views strip terminal control sequences that came from the input', () => {
	const raw: RawHostState = {
		iptables: '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m comment --comment "\x1b]52;c;ZXZpbA==\x07\x1b[31mred\u202e" -j ACCEPT\nCOMMIT\n',
		addresses: JSON.stringify([{ ifindex: 1, ifname: 'eth0', flags: ['UP'], operstate: 'UP', link_type: 'ether', ifalias: 'x', address: '02:00:00:00:00:01', addr_info: [] }]),
		links: JSON.stringify([{ ifindex: 1, ifname: 'e\x1b[2Jth0', flags: ['UP'], operstate: 'UP\x1b[5m', link_type: 'ether' }]),
	};
	for (const what of ['rules', 'links'] as const) {
		const text = renderShow(what, resolved(raw), false);
		assert.ok(!/[\x1b\x07\u202e]/.test(text), `${what}: ${JSON.stringify(text)}`);
	}
	assert.match(renderShow('rules', resolved(raw), false), /\/\* red \*\//);
});

test('piped output has no colour codes, and --json is one JSON document', () => {
	for (const what of ['rules', 'routes', 'links', 'bridges']) {
		const run = spawnSync(process.execPath, [CLI, 'show', what, '--demo'], { encoding: 'utf8' });
		assert.equal(run.status, 0, run.stderr);
		assert.ok(!run.stdout.includes('\x1b'), what);
		const json = spawnSync(process.execPath, [CLI, 'show', what, '--demo', '--json'], { encoding: 'utf8' });
		assert.equal(JSON.parse(json.stdout).host, 'node0');
	}
});

test('links view: a tree of bridge → ports, veth ↔ peer, vlan → parent', () => {
	const text = renderShow('links', host, false);
	assert.match(text, /│ br0 +│ bridge/);
	assert.match(text, /│ ├─ vb1 +│ veth/);
	assert.match(text, /│ └─ vx100 +│ vxlan .*vni 100 local 10\.20\.0\.1 port 4789 dev uplink/);
	assert.match(text, /│ va +│ veth .*↔ vb /);
	assert.match(text, /│ uplink +│ veth .*↔ if2 in nsltk-\d+-cap-l/);
	const vlan = resolved({ links: JSON.stringify([{ ifname: 'eth0', flags: ['UP'] }, { ifname: 'eth0.100', link: 'eth0', flags: ['UP'], linkinfo: { info_kind: 'vlan', info_data: { protocol: '802.1Q', id: 100 } } }]) });
	assert.match(renderShow('links', vlan, false), /eth0\.100 +│ vlan .*id 100 802\.1Q → eth0/);
});

test('one-shot commands load no TUI code (ink, react) — static imports from the CLI entry', () => {
	const seen = new Set<string>();
	const bare = new Set<string>();
	const visit = (file: string) => {
		if (seen.has(file)) return;
		seen.add(file);
		const text = readFileSync(file, 'utf8');
		for (const match of text.matchAll(/^\s*import\s+(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm)) {
			const spec = match[1]!;
			if (spec.startsWith('.')) visit(resolve(dirname(file), spec));
			else bare.add(spec.split('/')[0]!.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
		}
	};
	// The CLI imports each command's module when it runs (dynamic imports): follow those too, all but the TUI's own.
	const cli = join(REPO, 'dist/source/cli.js');
	visit(cli);
	for (const match of readFileSync(cli, 'utf8').matchAll(/\bimport\(['"](\.[^'"]+)['"]\)/g)) if (!match[1]!.endsWith('/tui/index.js')) visit(resolve(dirname(cli), match[1]!));
	assert.ok(seen.has(join(REPO, 'dist/source/commands/show.js')));
	assert.ok(!bare.has('ink') && !bare.has('react'), [...bare].join(', '));
});
