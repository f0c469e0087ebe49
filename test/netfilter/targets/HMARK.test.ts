import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyRule, assertParseError, ip, makePacket, parseRule } from './env.js';

/** A packet 127.0.0.x → 127.0.0.y as sent in the kernel check (mangle OUTPUT over lo). */
function flow(family: 4 | 6, proto: 'udp' | 'tcp', src: string, dst: string, sport: number, dport: number) {
	return makePacket({
		family, proto: proto === 'udp' ? 17 : 6, src: ip(src), dst: ip(dst), sport, dport,
		tcpFlags: proto === 'udp' ? undefined : 0x02, in: undefined, local: true,
		ct: {
			origSrc: ip(src), origDst: ip(dst), origSport: sport, origDport: dport,
			replSrc: ip(dst), replDst: ip(src), replSport: dport, replDport: sport,
			reply: false, seenReply: false, assured: false, confirmed: false, snat: false, dnat: false,
		},
	});
}

const mark = (family: 4 | 6, proto: 'udp' | 'tcp', src: string, dst: string, sport: number, dport: number, options: string) => {
	const packet = flow(family, proto, src, dst, sport, dport);
	applyRule('mangle', `-A OUTPUT -p ${proto} -j HMARK ${options}`, packet);
	return packet.mark;
};

describe('HMARK', () => {
	it('gives the marks Linux 6.18 gave for the same flows', () => {
		// Each value was read back from a network namespace: HMARK in mangle OUTPUT, one packet over lo,
		// 32 "-m mark --mark 2^n/2^n" counters in POSTROUTING.
		const all = '--hmark-tuple src,dst,sport,dport,proto';
		assert.equal(mark(4, 'udp', '127.0.0.1', '127.0.0.2', 40000, 7777, `${all} --hmark-mod 1000 --hmark-offset 10000 --hmark-rnd 0xfeedcafe`), 10598);
		assert.equal(mark(4, 'udp', '127.0.0.1', '127.0.0.2', 40001, 7777, `${all} --hmark-mod 1000 --hmark-offset 10000 --hmark-rnd 0xfeedcafe`), 10759);
		assert.equal(mark(4, 'udp', '127.0.0.1', '127.0.0.2', 40001, 7777, '--hmark-tuple src,dst --hmark-mod 0xffffffff --hmark-rnd 0x1'), 3192001026);
		assert.equal(
			mark(4, 'tcp', '127.0.0.1', '127.0.0.3', 40002, 7778, '--hmark-src-prefix 24 --hmark-dport-mask 0xff --hmark-sport 0x100 --hmark-proto-mask 0xff --hmark-mod 4294967295 --hmark-rnd 0xdeadbeef --hmark-offset 7'),
			2905158988,
		);
		assert.equal(mark(6, 'udp', '2001:db8::1', '2001:db8::2', 40003, 7779, `${all} --hmark-mod 4294967295 --hmark-rnd 0x12345678`), 3597734008);
		assert.equal(mark(6, 'udp', '2001:db8::1', '2001:db8::2', 40003, 7779, '--hmark-src-prefix 64 --hmark-dst-prefix 127 --hmark-mod 4294967295 --hmark-rnd 0x12345678'), 2954842767);
		assert.equal(mark(4, 'udp', '127.0.0.9', '127.0.0.2', 50000, 7777, `--hmark-tuple ct,src,dst,sport,dport,proto --hmark-mod 4294967295 --hmark-rnd 0xabcdef01`), 3840708310);
		assert.equal(mark(6, 'tcp', '2001:db8::2', '2001:db8::1', 40004, 7780, '--hmark-tuple ct,src,dst,sport,dport,proto --hmark-mod 1000 --hmark-rnd 0x5'), 262);
	});

	it('is symmetric: both directions of a flow get the same mark', () => {
		const options = '--hmark-tuple src,dst,sport,dport,proto --hmark-mod 10 --hmark-rnd 0x1';
		assert.equal(mark(4, 'tcp', '10.0.0.1', '10.0.0.2', 1234, 80, options), mark(4, 'tcp', '10.0.0.2', '10.0.0.1', 80, 1234, options));
	});

	it('records the rewrite; leaves untracked packets alone in ct mode', () => {
		const packet = flow(4, 'udp', '127.0.0.1', '127.0.0.2', 40000, 7777);
		const { outcome, env } = applyRule('mangle', '-A OUTPUT -p udp -j HMARK --hmark-tuple src,dst,sport,dport,proto --hmark-mod 1000 --hmark-offset 10000 --hmark-rnd 0xfeedcafe', packet);
		assert.deepEqual(outcome, { kind: 'continue' });
		assert.deepEqual(env.rewrites.map((r) => r.description), ['mark 0x0 → 0x2966 (HMARK: 10000 + hash mod 1000)']);
		const raw = applyRule('raw', '-A PREROUTING -j HMARK --hmark-tuple ct --hmark-mod 3 --hmark-rnd 1', makePacket());
		assert.equal(raw.env.rewrites.length, 0);
		assert.match(parseRule('raw', '-A PREROUTING -j HMARK --hmark-tuple ct --hmark-mod 3 --hmark-rnd 1').warnings[0]!.text, /conntrack has not run yet/);
		const untracked = makePacket({ ctState: 'UNTRACKED' });
		assert.equal(applyRule('mangle', '-A PREROUTING -j HMARK --hmark-tuple ct --hmark-mod 3 --hmark-rnd 1', untracked).env.rewrites.length, 0);
	});

	it('states what netsleuth cannot see: ICMP error payloads, ESP SPIs', () => {
		const icmp = makePacket({ proto: 1, icmpType: 3, icmpCode: 3, sport: undefined, dport: undefined, tcpFlags: undefined });
		assert.match(applyRule('mangle', '-A PREROUTING -j HMARK --hmark-tuple src,dst --hmark-mod 3 --hmark-rnd 1', icmp).env.assumptions[0]!, /inside an ICMP error/);
		const esp = makePacket({ proto: 50, sport: undefined, dport: undefined, tcpFlags: undefined });
		assert.match(applyRule('mangle', '-A PREROUTING -j HMARK --hmark-tuple src,dst,spi --hmark-mod 3 --hmark-rnd 1', esp).env.assumptions[0]!, /SPI/);
	});

	it('reads tuple words as libxt_HMARK does, abbreviations included', () => {
		const a = parseRule('mangle', '-A PREROUTING -j HMARK --hmark-tuple s,d,sp,dp,p --hmark-mod 2 --hmark-rnd 1').rule.target!.options;
		const b = parseRule('mangle', '-A PREROUTING -j HMARK --hmark-src-prefix 32 --hmark-dst-prefix 32 --hmark-sport-mask 0xffff --hmark-dport-mask 0xffff --hmark-proto-mask 0xffff --hmark-rnd 0x00000001 --hmark-mod 2').rule.target!.options;
		assert.deepEqual(a, b);
	});

	it('refuses what iptables refuses', () => {
		assertParseError('mangle', '-A PREROUTING -j HMARK --hmark-tuple src --hmark-rnd 1', 'HMARK', /needs --hmark-mod/);
		assertParseError('mangle', '-A PREROUTING -j HMARK --hmark-tuple src --hmark-mod 2', 'HMARK', /needs --hmark-rnd/);
		assertParseError('mangle', '-A PREROUTING -j HMARK --hmark-mod 2 --hmark-rnd 1', 'HMARK', /needs --hmark-tuple/);
		assertParseError('mangle', '-A PREROUTING -j HMARK --hmark-tuple foo --hmark-mod 2 --hmark-rnd 1', 'foo', /bad HMARK tuple "foo"/);
		assertParseError('mangle', '-A PREROUTING -j HMARK --hmark-tuple src --hmark-mod 0 --hmark-rnd 1', '0 ', /modulus \(1–/);
		assertParseError('mangle', '-A PREROUTING -j HMARK --hmark-tuple src --hmark-src-prefix 8 --hmark-mod 3 --hmark-rnd 1', '--hmark-src-prefix', /only be used once/);
		assertParseError('mangle', '-A PREROUTING -j HMARK --hmark-tuple spi,sport --hmark-mod 3 --hmark-rnd 1', '--hmark-tuple', /cannot be used together/);
	});
});
