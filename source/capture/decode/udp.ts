import type { UdpLayer } from './packet.js';
import { addLayer, KIND, note, truncated, u16, UDP_PORTS, type Decoder } from './tables.js';

/**
 * UDP, then the application or tunnel its ports name (the lower port first, as Wireshark tries them):
 * DNS, VXLAN, Geneve, WireGuard.
 */
export const decodeUdp: Decoder = (d, b, off, end) => {
	if (end - off < 8) return truncated(d, 'udp', off, 8, end);
	const length = u16(b, off + 4);
	const layer: UdpLayer = {
		kind: 'udp', offset: off - d.frame.start, sport: u16(b, off), dport: u16(b, off + 2), length,
		checksum: u16(b, off + 6), payloadLength: Math.max(0, length - 8),
	};
	addLayer(d, layer, KIND.udp);
	if (d.transport === undefined && d.cur === d.ip && d.quoted === 0) d.transport = layer;
	if (d.quoted > 0) return;
	if (length < 8) {
		// IPv6 jumbograms carry UDP length 0: the IP payload gives the length.
		if (length === 0 && d.cur?.kind === 'ipv6') layer.payloadLength = Math.max(0, d.ipEnd - off - 8);
		else return note(d, `udp: length ${length} is less than 8`);
	} else if (off + length > d.ipEnd) return note(d, `udp: length ${length} is more than the IP payload ${d.ipEnd - off}`);
	else if (off + length < end) end = off + length;
	const lo = layer.sport < layer.dport ? layer.sport : layer.dport;
	const hi = layer.sport < layer.dport ? layer.dport : layer.sport;
	const app = UDP_PORTS[lo] ?? UDP_PORTS[hi];
	if (app !== undefined) app(d, b, off + 8, end);
};
