import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { kubeProxyDump } from '../../bench/kube-gen.js';
import { REPO } from '../support/paths.js';

/**
 * `show rules --json` is written piece by piece (a million-rule dump is never one string): its bytes must
 * stay those of JSON.stringify(value, null, 2) — what re-serialising the parsed output gives — with
 * IPv4 and IPv6 rules, empty chains, user chains and their references, and strings that need escapes.
 */
const BIN = join(REPO, 'bin', 'netsleuth.js');
const tmp = mkdtempSync(join(tmpdir(), 'netsleuth-show-json-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });

test('show rules --json: the bytes of JSON.stringify(…, null, 2), streamed', () => {
	const kube = join(tmp, 'kube.rules');
	// 400 services: more than the 64 KB the writer gathers before each write.
	writeFileSync(kube, kubeProxyDump(400).text);
	const v6 = join(tmp, 'v6.rules');
	writeFileSync(v6, '*filter\n:INPUT DROP [7:420]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:EMPTY - [0:0]\n:USER - [0:0]\n-A INPUT -s fd00::/8 -p tcp -m tcp --dport 22 -m comment --comment "quote \\" backslash \\\\ tab\tend \u202e" -j USER\n-A INPUT -j USER\n-A USER -j ACCEPT\nCOMMIT\n');
	for (const args of [['--rules', kube], ['--rules', kube, '--rules6', v6], ['--rules6', v6], ['--demo']]) {
		const r = run(['show', 'rules', '--json', ...args]);
		assert.equal(r.status, 0, r.stderr);
		const value = JSON.parse(r.stdout) as { chains: { chain: string; references: number | null; rules: unknown[] }[] };
		assert.equal(r.stdout, `${JSON.stringify(value, null, 2)}\n`, args.join(' '));
		assert.ok(value.chains.length > 0);
		if (args.includes(v6)) {
			const chains = new Map(value.chains.map((c) => [c.chain, c]));
			assert.deepEqual([chains.get('EMPTY')?.rules, chains.get('EMPTY')?.references, chains.get('USER')?.references], [[], 0, 2]);
		}
	}
	// No rules at all: "chains" is an empty array.
	const none = join(tmp, 'none.rules');
	writeFileSync(none, '');
	const empty = run(['show', 'rules', '--json', '--rules', none]);
	assert.equal(empty.status, 0, empty.stderr);
	assert.equal(empty.stdout, `${JSON.stringify(JSON.parse(empty.stdout), null, 2)}\n`);
});
