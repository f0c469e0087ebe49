// The IPv6 groups the kernel joins on its own (ip6_mc_input delivers only those; the replay proof's MLD
// reports to ff02::16 were freed before INPUT).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { type Ip, parseIp } from '../../source/packet/address.js';
import { joinedByKernel6 } from '../../source/routing/multicast6.js';

const ip = (text: string): Ip => parseIp(text)!;
const addresses = [
	{ ip: ip('fd00:1::1'), dev: 'eth0' },
	{ ip: ip('fe80::ff:fe00:101'), dev: 'eth0' },
	{ ip: ip('fd00:9::1'), dev: 'eth1' },
];
const joined = (group: string, dev = 'eth0', forwarding = false) => joinedByKernel6(ip(group), dev, addresses, forwarding);

test('all-nodes is joined on every interface', () => {
	assert.equal(joined('ff02::1'), true);
	assert.equal(joined('ff01::1', 'eth1'), true);
	assert.equal(joined('ff05::1'), false);
});

test('the solicited-node group of each of the interface’s own addresses, and no other interface’s', () => {
	assert.equal(joined('ff02::1:ff00:1'), true); // fd00:1::1
	assert.equal(joined('ff02::1:ff00:101'), true); // fe80::ff:fe00:101
	assert.equal(joined('ff02::1:ff00:113'), false); // a neighbour's
	assert.equal(joined('ff02::1:ff00:1', 'eth1'), true); // fd00:9::1 ends the same
	assert.equal(joined('ff02::1:ff00:101', 'eth1'), false);
	assert.equal(joined('ff02::2:ff00:1'), false);
});

test('all-routers only while forwarding; MLDv2 routers’ ff02::16 never (multicast routing is not simulated)', () => {
	assert.equal(joined('ff02::2'), false);
	assert.equal(joined('ff02::2', 'eth0', true), true);
	assert.equal(joined('ff05::2', 'eth1', true), true);
	assert.equal(joined('ff02::16', 'eth0', true), false);
});
