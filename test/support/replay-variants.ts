import { pick, type Random } from './random-rulesets.js';
import { clonePacket, type Packet } from '../../source/packet/packet.js';
import { parseIp } from '../../source/packet/address.js';

/**
 * A packet as a replay gives it to the engine: in any conntrack state, possibly of a confirmed and
 * translated connection (later packets get the recorded NAT), with a length, a payload and a TTL.
 */
export function variant(random: Random, base: Packet): Packet {
	const p = clonePacket(base);
	p.ctStateGiven = true;
	const r = random();
	if (r < 0.35) {
		p.ctState = 'ESTABLISHED';
		p.ct.confirmed = true;
		p.ct.seenReply = random() < 0.8;
		if (random() < 0.4) {
			// A connection whose first packet was translated to another address and port.
			const to = parseIp(p.family === 4 ? `10.244.0.${1 + Math.floor(random() * 3)}` : `fd00:244::${1 + Math.floor(random() * 3)}`)!;
			p.ct.dnat = true;
			p.ct.replSrc = to;
			p.ct.replSport = p.dport === undefined ? undefined : 8080;
		}
		if (random() < 0.3) {
			p.ct.reply = true;
		}
	} else if (r < 0.4) p.ctState = 'RELATED';
	else if (r < 0.45) p.ctState = 'INVALID';
	p.length = pick(random, [60, 150, 300, 1500]);
	p.ttl = pick(random, [1, 2, 64, 64, 64, 128]);
	if (random() < 0.3) p.payload = new TextEncoder().encode(pick(random, ['abc', 'xyz', 'GET / HTTP/1.1']));
	if (random() < 0.2) p.mark = pick(random, [0, 1, 2]);
	return p;
}
