import type { Packet } from '../../source/packet/packet.js';
import { packetFromSpec, parseExpression } from '../../source/packet/spec.js';

/** A packet from the same expression the CLI takes: `tcp 10.0.0.1:1234 > 10.0.0.2:80 in eth0`. */
export function packet(expression: string): Packet {
	return packetFromSpec(parseExpression(expression.split(/\s+/)));
}
