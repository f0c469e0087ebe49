import assert from 'node:assert/strict';
import { type Ip, parseIp } from '../../source/packet/address.js';
import { type Packet, TCP_FLAGS } from '../../source/packet/packet.js';
import { packetFromSpec, parseExpression } from '../../source/packet/spec.js';

/** A packet from the same expression the CLI takes: `tcp 10.0.0.1:1234 > 10.0.0.2:80 in eth0`. */
export function packet(expression: string): Packet {
	return packetFromSpec(parseExpression(expression.split(/\s+/)));
}

export const ip = (text: string): Ip => parseIp(text) ?? assert.fail(`bad address ${text}`);

/** A TCP SYN 10.0.0.1:40000 → 10.0.0.2:80 arriving on eth0, NEW; anything can be overridden. */
export function makePacket(overrides: Partial<Packet> = {}): Packet {
	const family = overrides.family ?? 4;
	const src = overrides.src ?? ip(family === 4 ? '10.0.0.1' : '2001:db8::1');
	const dst = overrides.dst ?? ip(family === 4 ? '10.0.0.2' : '2001:db8::2');
	const sport = 'sport' in overrides ? overrides.sport : 40000;
	const dport = 'dport' in overrides ? overrides.dport : 80;
	return {
		family,
		proto: 6,
		src,
		dst,
		sport,
		dport,
		tcpFlags: TCP_FLAGS.SYN,
		in: 'eth0',
		mark: 0,
		ctmark: 0,
		ctState: 'NEW',
		ct: {
			origSrc: src, origDst: dst, origSport: sport, origDport: dport,
			replSrc: dst, replDst: src, replSport: dport, replDport: sport,
			reply: false, seenReply: false, assured: false, confirmed: false, snat: false, dnat: false,
		},
		ctStateGiven: true,
		local: false,
		length: 60,
		ttl: 64,
		tos: 0,
		fragment: false,
		...overrides,
	};
}
