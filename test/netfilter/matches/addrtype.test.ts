import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertNoMatch, assertParseError, evaluate, HOST_ADDRESSES, ip, makePacket } from './harness.js';

const host = { addresses: HOST_ADDRESSES };

describe('addrtype', () => {
	it('finds LOCAL from the host addresses, 127/8 included', () => {
		assert.equal(evaluate('-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER', 'addrtype', makePacket(), { ...host, table: 'nat' }).verdict, null);
		assert.equal(evaluate('-A OUTPUT -m addrtype --dst-type LOCAL -j DOCKER', 'addrtype', makePacket({ dst: ip('127.0.0.53'), local: true }), host).verdict, null);
		assert.equal(evaluate('-A INPUT -m addrtype --src-type LOCAL -j ACCEPT', 'addrtype', makePacket({ src: ip('192.168.1.1') }), host).verdict, null);
	});

	it('classifies broadcast, multicast and unicast destinations', () => {
		const type = (dst: string) => evaluate('-A INPUT -m addrtype --dst-type LOCAL -j ACCEPT', 'addrtype', makePacket({ dst: ip(dst) }), host).verdict;
		assert.match(type('10.0.0.255')!, /is BROADCAST, not LOCAL/);
		assert.match(type('255.255.255.255')!, /is BROADCAST/);
		assert.match(type('192.168.1.255')!, /is BROADCAST/); // the subnet's last address, no brd given
		assert.match(type('224.0.0.251')!, /is MULTICAST/);
		assertNoMatch(type('8.8.8.8'), /^destination 8\.8\.8\.8 is UNICAST, not LOCAL$/);
		assert.equal(evaluate('-A INPUT -m addrtype --dst-type BROADCAST,MULTICAST -j DROP', 'addrtype', makePacket({ dst: ip('239.1.1.1') }), host).verdict, null);
	});

	it('negates the type list', () => {
		const line = '-A INPUT -m addrtype ! --dst-type LOCAL -j DROP';
		assert.equal(evaluate(line, 'addrtype', makePacket({ dst: ip('8.8.8.8') }), host).verdict, null);
		assertNoMatch(evaluate(line, 'addrtype', makePacket(), host).verdict, /^destination 10\.0\.0\.2 is LOCAL, which ! LOCAL excludes$/);
	});

	it('limits the route to the input interface with --limit-iface-in', () => {
		const line = '-A INPUT -m addrtype --dst-type LOCAL --limit-iface-in -j ACCEPT';
		assert.equal(evaluate(line, 'addrtype', makePacket({ in: 'eth0' }), host).verdict, null);
		assertNoMatch(evaluate(line, 'addrtype', makePacket({ dst: ip('192.168.1.1'), in: 'eth0' }), host).verdict, /is UNICAST \(routes through eth0 only\)/);
	});

	it('records assumptions: unknown host addresses, and route-only types', () => {
		const unknown = evaluate('-A INPUT -m addrtype --dst-type LOCAL -j ACCEPT', 'addrtype', makePacket());
		assert.ok(unknown.verdict !== null);
		assert.match(unknown.env.assumptions[0]!, /host's IPv4 addresses are unknown/);
		const blackhole = evaluate('-A INPUT -m addrtype --dst-type BLACKHOLE -j DROP', 'addrtype', makePacket({ dst: ip('8.8.8.8') }), host);
		assert.ok(blackhole.verdict !== null);
		assert.match(blackhole.env.assumptions[0]!, /local routing table holds only the kernel's routes/);
	});

	it('follows the IPv6 rules: every class named must hold', () => {
		const packet = makePacket({ family: 6, dst: ip('2001:db8::2') });
		assert.equal(evaluate('-A INPUT -m addrtype --dst-type LOCAL -j ACCEPT', 'addrtype', packet, host).verdict, null);
		assert.equal(evaluate('-A INPUT -m addrtype --dst-type UNICAST -j ACCEPT', 'addrtype', packet, host).verdict, null);
		assertNoMatch(evaluate('-A INPUT -m addrtype --dst-type MULTICAST -j ACCEPT', 'addrtype', packet, host).verdict, /is not MULTICAST/);
		assert.equal(evaluate('-A INPUT -m addrtype --dst-type MULTICAST -j ACCEPT', 'addrtype', makePacket({ family: 6, dst: ip('ff02::1') }), host).verdict, null);
	});

	it('rejects unknown types, IPv6-impossible types, both interface limits and no type', () => {
		assertParseError('-A INPUT -m addrtype --dst-type LOCALE -j ACCEPT', 'LOCALE', /unknown address type "LOCALE"/);
		assertParseError('-A INPUT -m addrtype --dst-type BROADCAST -j ACCEPT', 'BROADCAST', /cannot match BROADCAST/, { family: 6 });
		assertParseError('-A FORWARD -m addrtype --dst-type LOCAL --limit-iface-in --limit-iface-out -j ACCEPT', '--limit-iface-out', /not both/);
		assertParseError('-A INPUT -m addrtype --limit-iface-in -j ACCEPT', 'addrtype', /needs --src-type or --dst-type/);
	});
});
