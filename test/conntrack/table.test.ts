import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConnectionTable, type CtExtras } from '../../source/conntrack/table.js';
import { tcpNext, validTcpFlags } from '../../source/conntrack/tcp.js';
import { tupleOf } from '../../source/conntrack/tuple.js';
import { parseIp } from '../../source/packet/address.js';
import { packet } from '../support/packets.js';

const CLIENT = 'tcp 10.0.0.5:40000 > 10.0.0.1:80';
const SERVER = 'tcp 10.0.0.1:80 > 10.0.0.5:40000';

/** Classifies and commits one packet that passed every hook; returns the state rules saw. */
function pass(table: ConnectionTable, expression: string, now: number, extras: CtExtras = {}, passed = true): string {
	const c = table.classify(packet(expression), extras, now);
	table.commit(c, { reached: true, passed });
	return c.state;
}

describe('conntrack table: TCP', () => {
	test('handshake, data and close walk the kernel states; both directions find one entry', () => {
		const table = new ConnectionTable(new Map());
		const steps: [string, string, string][] = [
			[`${CLIENT} flags SYN`, 'NEW', 'SYN_SENT'],
			[`${SERVER} flags SYN,ACK`, 'ESTABLISHED', 'SYN_RECV'],
			[`${CLIENT} flags ACK`, 'ESTABLISHED', 'ESTABLISHED'],
			[`${CLIENT} flags PSH,ACK`, 'ESTABLISHED', 'ESTABLISHED'],
			[`${CLIENT} flags FIN,ACK`, 'ESTABLISHED', 'FIN_WAIT'],
			[`${SERVER} flags FIN,ACK`, 'ESTABLISHED', 'LAST_ACK'],
			[`${CLIENT} flags ACK`, 'ESTABLISHED', 'TIME_WAIT'],
		];
		let now = 0;
		for (const [expression, state, tcp] of steps) {
			assert.equal(pass(table, expression, now++), state, expression);
			const found = table.lookup(tupleOf(packet(`${SERVER} flags ACK`)), now);
			assert.equal(found?.entry.tcp, tcp, expression);
			assert.equal(found?.reply, true);
		}
		assert.equal(table.size, 1);
		assert.equal(table.lookup(tupleOf(packet(CLIENT)), now)?.entry.handshake, true);
	});

	test('TIME_WAIT times out after nf_conntrack_tcp_timeout_time_wait; a SYN on it starts a new flow', () => {
		const table = new ConnectionTable(new Map([['net.netfilter.nf_conntrack_tcp_timeout_time_wait', '5']]));
		for (const [i, e] of [`${CLIENT} flags SYN`, `${SERVER} flags SYN,ACK`, `${CLIENT} flags ACK`, `${CLIENT} flags FIN,ACK`, `${SERVER} flags FIN,ACK`, `${CLIENT} flags ACK`].entries()) pass(table, e, i);
		const reopen = table.classify(packet(`${CLIENT} flags SYN`), {}, 6);
		assert.equal(reopen.state, 'NEW');
		assert.equal(reopen.flow, 2);
		assert.equal(table.classify(packet(`${CLIENT} flags ACK`), {}, 5 + 5.1).state, 'NEW', 'expired: a mid-stream ACK is picked up as new');
		assert.ok(!table.assumed.some((a) => a.includes('time_wait')));
	});

	test('after a RST, a new SYN from the side that reset starts over; from the other side it is ignored', () => {
		const open = (table: ConnectionTable) => [`${CLIENT} flags SYN`, `${SERVER} flags SYN,ACK`, `${CLIENT} flags ACK`].forEach((e, i) => pass(table, e, i));
		const clientReset = new ConnectionTable(new Map());
		open(clientReset);
		pass(clientReset, `${CLIENT} flags RST`, 3);
		const again = clientReset.classify(packet(`${CLIENT} flags SYN`), {}, 4);
		assert.deepEqual([again.state, again.flow], ['NEW', 2]);
		const serverReset = new ConnectionTable(new Map());
		open(serverReset);
		pass(serverReset, `${SERVER} flags RST`, 3);
		const ignored = serverReset.classify(packet(`${CLIENT} flags SYN`), {}, 4);
		assert.deepEqual([ignored.state, ignored.flow, ignored.tcp?.next], ['ESTABLISHED', 1, 'IG']);
		assert.equal(serverReset.lookup(tupleOf(packet(CLIENT)), 3 + 9.9)?.entry.tcp, 'CLOSE', 'a RST sets the close timeout (10 s)');
		assert.equal(serverReset.lookup(tupleOf(packet(CLIENT)), 3 + 10), undefined);
	});

	test('a picked-up connection without reply lives nf_conntrack_tcp_timeout_unacknowledged (300 s), not 5 days', () => {
		const table = new ConnectionTable(new Map());
		pass(table, `${CLIENT} flags ACK`, 0);
		assert.equal(pass(table, `${SERVER} flags ACK`, 299), 'ESTABLISHED');
		const late = new ConnectionTable(new Map());
		pass(late, `${CLIENT} flags ACK`, 0);
		assert.equal(late.classify(packet(`${SERVER} flags ACK`), {}, 300).state, 'NEW', 'expired: the answer is picked up as a new connection');
	});

	test('a dropped SYN leaves no entry: its retransmission is NEW again, in the same flow', () => {
		const table = new ConnectionTable(new Map());
		const first = table.classify(packet(`${CLIENT} flags SYN`), {}, 0);
		table.commit(first, { reached: true, passed: false });
		const again = table.classify(packet(`${CLIENT} flags SYN`), {}, 1);
		assert.deepEqual([again.state, again.flow, table.size], ['NEW', first.flow, 0]);
	});

	test('a RST answering a SYN is ESTABLISHED (reply direction) and deletes the entry', () => {
		const table = new ConnectionTable(new Map());
		pass(table, `${CLIENT} flags SYN`, 0);
		assert.equal(pass(table, `${SERVER} flags RST,ACK`, 0.1), 'ESTABLISHED');
		assert.equal(table.size, 0);
	});

	test('mid-stream ACK: NEW with nf_conntrack_tcp_loose 1, INVALID with 0; bad flags and lone FIN INVALID', () => {
		const loose = new ConnectionTable(new Map());
		assert.equal(pass(loose, `${CLIENT} flags ACK`, 0), 'NEW');
		assert.equal(pass(loose, `${SERVER} flags ACK`, 0), 'ESTABLISHED');
		const strict = new ConnectionTable(new Map([['net.netfilter.nf_conntrack_tcp_loose', '0']]));
		const c = strict.classify(packet(`${CLIENT} flags ACK`), {}, 0);
		assert.equal(c.state, 'INVALID');
		assert.match(c.why ?? '', /tcp_loose = 0/);
		assert.equal(pass(loose, 'tcp 10.0.0.9:1 > 10.0.0.1:80 flags SYN,FIN', 0), 'INVALID');
		assert.equal(pass(loose, 'tcp 10.0.0.9:2 > 10.0.0.1:80 flags FIN,ACK', 0), 'INVALID');
		assert.equal(pass(loose, 'tcp 10.0.0.9:3 > 10.0.0.1:80 flags SYN,ACK', 0), 'INVALID');
		assert.equal(validTcpFlags(0x18 | 0xc0), true, 'PSH, ECE and CWR are set aside');
		assert.equal(tcpNext(true, 'syn', 'SYN_SENT'), 'SYN_SENT2', 'simultaneous open');
	});
});

describe('conntrack table: UDP and ICMP', () => {
	test('UDP: NEW, then ESTABLISHED both ways; expires after nf_conntrack_udp_timeout (default 30 s, assumed)', () => {
		const table = new ConnectionTable(new Map());
		assert.equal(pass(table, 'udp 10.0.0.1:5000 > 10.0.0.5:53', 100), 'NEW');
		assert.equal(pass(table, 'udp 10.0.0.1:5000 > 10.0.0.5:53', 101), 'NEW', 'no reply yet');
		assert.equal(pass(table, 'udp 10.0.0.5:53 > 10.0.0.1:5000', 130.9), 'ESTABLISHED');
		assert.equal(pass(table, 'udp 10.0.0.5:53 > 10.0.0.1:5000', 130.9 + 30), 'NEW', 'timed out 30 s after the last packet');
		assert.ok(table.assumed.includes('nf_conntrack_udp_timeout = 30'));
	});

	test('ICMP echo: a request is NEW, its reply ESTABLISHED; a reply without request INVALID', () => {
		const table = new ConnectionTable(new Map());
		assert.equal(pass(table, 'icmp 10.0.0.5 > 10.0.0.1 type 8', 0, { icmpId: 7 }), 'NEW');
		assert.equal(pass(table, 'icmp 10.0.0.1 > 10.0.0.5 type 0', 0, { icmpId: 7 }), 'ESTABLISHED');
		assert.equal(pass(table, 'icmp 10.0.0.1 > 10.0.0.5 type 0', 0, { icmpId: 8 }), 'INVALID');
		assert.equal(pass(table, 'icmp 10.0.0.5 > 10.0.0.1 type 9', 0), 'INVALID', 'a router advertisement starts no connection');
	});

	test('ICMP errors: RELATED when the quoted datagram is a known connection’s, else INVALID', () => {
		const table = new ConnectionTable(new Map());
		pass(table, 'udp 10.0.0.1:5000 > 10.0.0.5:53', 0);
		const quoted = { proto: 17, src: parseIp('10.0.0.1')!, dst: parseIp('10.0.0.5')!, sport: 5000, dport: 53 };
		const related = table.classify(packet('icmp 10.0.0.5 > 10.0.0.1 type 3/3'), { quoted }, 1);
		assert.deepEqual([related.state, related.flow, related.connection?.reply], ['RELATED', 1, true]);
		assert.equal(table.classify(packet('icmp 10.0.0.5 > 10.0.0.1 type 3/3'), { quoted: { ...quoted, sport: 5001 } }, 1).state, 'INVALID');
		assert.equal(table.classify(packet('icmp 10.0.0.5 > 10.0.0.9 type 3/3'), { quoted }, 1).state, 'INVALID', 'the error must go to the connection’s source');
		assert.equal(table.classify(packet('icmp 10.0.0.5 > 10.0.0.1 type 3/3'), { quoted: null }, 1).state, 'INVALID');
	});

	test('ICMPv6 neighbour discovery is never tracked', () => {
		const table = new ConnectionTable(new Map());
		assert.equal(pass(table, 'icmpv6 fe80::1 > ff02::1:ff00:2 type 135', 0), 'UNTRACKED');
		assert.equal(table.size, 0);
	});
});
