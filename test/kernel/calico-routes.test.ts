import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { REPO } from '../support/paths.js';
import { createNamespace, deleteNamespace, NS_PREFIX, requireKernelOrSkip, run, runInNs } from './support/netns.js';

const node0 = `${NS_PREFIX}${process.pid}-calico-node0`;
const lan = `${NS_PREFIX}${process.pid}-calico-lan`;
after(() => {
	for (const ns of [node0, lan]) deleteNamespace(ns);
});

/** The handout's node0: ens32 on the lab LAN, a workload behind a cali veth, and the routes BIRD installs. */
function buildNode0(): void {
	createNamespace(node0);
	createNamespace(lan);
	run('ip', ['link', 'add', 'ens32', 'netns', node0, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', lan]);
	run('ip', ['link', 'add', 'calic1364fb7922', 'netns', node0, 'type', 'veth', 'peer', 'name', 'cali-peer', 'netns', lan]);
	const batch = [
		'link set lo up', 'link set ens32 up', 'link set calic1364fb7922 up',
		'addr add 172.16.6.251/24 dev ens32',
		'route add default via 172.16.6.1 dev ens32',
		'route add blackhole 192.0.2.64/26 proto bird',
		'route add 192.0.2.100 dev calic1364fb7922 scope link',
		'route add 192.0.2.101 via 172.16.6.24 dev ens32 proto bird',
		'route add 192.0.2.102 via 172.16.6.8 dev ens32 proto bird',
		'route add blackhole 192.0.2.192/26 proto bird',
	];
	run('ip', ['-n', node0, '-batch', '-'], { input: `${batch.join('\n')}\n` });
	run('ip', ['-n', lan, 'link', 'set', 'eth0', 'up']);
	run('ip', ['-n', lan, 'link', 'set', 'cali-peer', 'up']);
}

test('the handout’s Calico routes: netsleuth route get --netns answers as ip route get does', (t) => {
	if (!requireKernelOrSkip(t)) return;
	buildNode0();
	const destinations = ['192.0.2.70', '192.0.2.100', '192.0.2.101', '192.0.2.102', '192.0.2.200', '192.0.2.5', '172.16.6.24', '172.16.6.251', '8.8.8.8', '127.0.0.1'];
	for (const dst of destinations) {
		const kernel = spawnSync('ip', ['-n', node0, '-d', '-j', 'route', 'get', dst], { encoding: 'utf8' });
		const ours = spawnSync(process.execPath, [join(REPO, 'bin', 'netsleuth.js'), 'route', 'get', dst, '--netns', node0, '--json'], { encoding: 'utf8' });
		assert.equal(ours.status, 0, ours.stderr);
		const decision = JSON.parse(ours.stdout);
		if (kernel.status !== 0) {
			assert.equal(decision.message, kernel.stderr.trim().replace(/^RTNETLINK answers: /, ''), dst);
			continue;
		}
		const answer = JSON.parse(kernel.stdout)[0];
		const expected = { type: answer.type ?? 'unicast', dev: answer.dev ?? null, gateway: answer.gateway ?? null, prefsrc: answer.prefsrc ?? null, table: answer.table ?? null };
		assert.deepEqual({ type: decision.type, dev: decision.dev, gateway: decision.gateway, prefsrc: decision.prefsrc, table: decision.table }, expected, dst);
	}
	assert.match(runInNs(node0, 'ip', ['route']), /blackhole 192\.0\.2\.64\/26 proto bird/);
});
