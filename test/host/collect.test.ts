// The collector with a recording Runner: which argv it spawns, what it says when a tool is missing,
// refuses, hangs or floods, and when the host counts as unreadable. No process is spawned here.

import test from 'node:test';
import assert from 'node:assert/strict';
import { ALLOWED_COMMANDS, collectLiveHost, explain, isAllowedArgv, readSomethingUseful, type RunFailure, type Runner, spawnArgv } from '../../source/host/collect.js';
import { buildHost } from '../../source/host/model.js';

interface Script {
	readonly [program: string]: string | RunFailure;
}

/** A runner that answers from a script by program name and records every argv it is asked to run. */
function fakeRunner(script: Script): Runner & { calls: string[][] } {
	const calls: string[][] = [];
	return {
		calls,
		async run(argv) {
			calls.push([...argv]);
			const inner = argv[0] === 'ip' && argv[1] === 'netns' ? argv.slice(4) : argv;
			const key = inner[0] === 'ip' || inner[0] === 'bridge' ? inner.join(' ') : inner[0]!;
			const answer = script[key] ?? script[inner[0]!] ?? { code: 'ENOENT' };
			if (typeof answer === 'string') return answer;
			throw answer;
		},
	};
}

const procFiles = (files: Record<string, string>) => async (path: string) => files[path];

const EMPTY_JSON = '[]';
const healthy: Script = {
	'iptables-save': '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s 10.0.0.1/32 -j DROP\nCOMMIT\n',
	'ip6tables-save': '',
	ip: EMPTY_JSON,
	bridge: EMPTY_JSON,
	'ip -j -d link': '[{"ifname":"lo"},{"ifname":"eth0.100"}]',
	nft: '{"nftables":[]}',
	ipset: '',
};

test('every argv the collector spawns is on the allow-list, exactly, and nothing else is asked for', async () => {
	const runner = fakeRunner(healthy);
	const collected = await collectLiveHost(undefined, { runner, readProc: procFiles({ '/proc/sys/net/ipv4/ip_forward': '1\n' }) });
	assert.ok(runner.calls.every(isAllowedArgv), runner.calls.map((c) => c.join(' ')).join('\n'));
	assert.deepEqual(runner.calls.map((c) => c.join(' ')).sort(), Object.values(ALLOWED_COMMANDS).map((c) => c.join(' ')).sort());
	assert.equal(collected.raw.sysctl, 'net.ipv4.ip_forward = 1\n');
	// iptables-legacy-save is not installed here: not worth a line (the host simply has one backend).
	assert.deepEqual(collected.missing, []);
});

test('inside a namespace: ip netns exec NAME before each command, sysctls through sysctl -e with per-interface keys', async () => {
	const runner = fakeRunner({ ...healthy, sysctl: 'net.ipv4.ip_forward = 0\n' });
	const collected = await collectLiveHost('lab-1', { runner, readProc: procFiles({}) });
	// The namespace does not exist on this machine, unless a test created it: the collector says so first.
	if (collected.missing.some((m) => m.includes('no network namespace'))) {
		assert.equal(runner.calls.length, 0, 'nothing is run for a namespace that does not exist');
		assert.equal(readSomethingUseful(collected.raw), false);
		return;
	}
	assert.ok(runner.calls.every((argv) => argv.slice(0, 4).join(' ') === 'ip netns exec lab-1'));
});

test('the sysctl argv: read-only keys only, dots inside interface names written as sysctl writes them', () => {
	assert.equal(isAllowedArgv(['sysctl', '-e', 'net.ipv4.ip_forward', 'net.ipv4.conf.eth0/100.rp_filter']), true);
	assert.equal(isAllowedArgv(['sysctl', '-w', 'net.ipv4.ip_forward=1']), false);
	assert.equal(isAllowedArgv(['sysctl', '-e', 'net.ipv4.ip_forward=1']), false);
	assert.equal(isAllowedArgv(['sysctl', '-e', 'kernel.hostname']), false);
	assert.equal(isAllowedArgv(['iptables-save']), false, 'the exact argv, -c included');
	assert.equal(isAllowedArgv(['iptables-restore']), false);
	assert.equal(isAllowedArgv(['ip', 'link', 'set', 'eth0', 'down']), false);
	assert.equal(isAllowedArgv(spawnArgv(['ip', '-j', 'rule'], 'ns1')), true);
	assert.equal(isAllowedArgv(['ip', 'netns', 'exec', '../x', 'ip', '-j', 'rule']), false);
	assert.equal(isAllowedArgv(['ip', 'netns', 'exec', 'ns1', 'sh', '-c', 'ip -j rule']), false);
});

test('one line per part that could not be read, saying how to get it', async () => {
	const runner = fakeRunner({
		...healthy,
		'iptables-save': { exitCode: 4, stderr: 'iptables-save v1.8.9 (nf_tables): Could not fetch rule set generation id: Permission denied (you must be root)\n' },
		'ip6tables-save': { code: 'ENOENT' },
		bridge: { timedOut: true },
		nft: { exitCode: 1, stderr: 'netlink: Error: cache initialization failed: Operation not permitted\n' },
		'ip -j neigh': { tooLarge: true },
	});
	const { missing, raw } = await collectLiveHost(undefined, { runner, readProc: procFiles({}), timeoutMs: 5000, maxBytes: 1024 * 1024 });
	assert.deepEqual(missing, [
		'bridge did not answer within 5 s (skipped; is the host overloaded?)',
		'ip printed more than 1 MiB (skipped: output cap)',
		'ip6tables-save is not installed (install the iptables package)',
		'iptables-save, nft: permission denied (run netsleuth as root, e.g. with sudo)',
	]);
	assert.ok(missing.every((line) => !line.includes('\n')));
	assert.equal(raw.iptables, undefined);
	assert.equal(readSomethingUseful(raw), true, 'routes and links were still read');
});

test('nothing useful read: the caller exits with 3', async () => {
	const runner = fakeRunner({});
	const { raw, missing } = await collectLiveHost(undefined, { runner, readProc: procFiles({}) });
	assert.equal(readSomethingUseful(raw), false);
	assert.ok(missing.includes('iptables-save is not installed (install the iptables package)'));
	assert.ok(missing.includes('ip is not installed (install the iproute2 package)'));
});

test('explain: a missing program inside a namespace, an unknown failure', () => {
	assert.equal(explain('ipset', { exitCode: 1, stderr: 'ipset v7.17: Kernel error received: Operation not permitted' }), 'ipset: permission denied (run netsleuth as root, e.g. with sudo)');
	assert.equal(explain('ip', { exitCode: 2, stderr: 'Error: something odd\nmore' }), 'ip failed (exit 2): Error: something odd');
});

test('both iptables backends holding rules are flagged; rules only in the legacy backend are the ones traced', () => {
	const nft = '# Generated by iptables-save v1.8.9 (nf_tables) on x\n*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s 10.0.0.1/32 -j DROP\nCOMMIT\n';
	const legacy = '# Generated by iptables-save v1.8.9 (legacy) on x\n*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s 10.0.0.2/32 -j DROP\nCOMMIT\n';
	const emptyNft = '# Generated by iptables-save v1.8.9 (nf_tables) on x\n';
	const both = buildHost({ iptables: nft, iptablesLegacy: legacy });
	assert.ok(both.warnings.some((w) => w.startsWith('both iptables backends hold IPv4 rules')));
	assert.equal(both.model.rules4!.tables.get('filter')!.chains.get('INPUT')!.rules[0]!.text, '-A INPUT -s 10.0.0.1/32 -j DROP');
	const onlyLegacy = buildHost({ iptables: emptyNft, iptablesLegacy: legacy });
	assert.equal(onlyLegacy.model.rules4!.tables.get('filter')!.chains.get('INPUT')!.rules[0]!.text, '-A INPUT -s 10.0.0.2/32 -j DROP');
	assert.ok(onlyLegacy.warnings.some((w) => w.includes('legacy backend')));
	// iptables-save that is itself the legacy one prints the same as iptables-legacy-save: no flag.
	assert.deepEqual(buildHost({ iptables: legacy, iptablesLegacy: legacy }).warnings, []);
});
