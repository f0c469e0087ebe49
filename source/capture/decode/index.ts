import type { Frame } from '../frame.js';
import { linkTypeName } from '../frame.js';
import { decodeArp } from './arp.js';
import { decodeDns, decodeDnsTcp } from './dns.js';
import { decodeEthernet } from './ethernet.js';
import { decodeGeneve } from './geneve.js';
import { decodeGre } from './gre.js';
import { decodeIcmp } from './icmp.js';
import { decodeIcmpv6 } from './icmpv6.js';
import { decodeIpInIp, decodeIpv6InIp } from './ipip.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';
import { decodeLoop, decodeNull } from './loopback.js';
import { newDecoded, type DecodedPacket } from './packet.js';
import { decodeRaw, decodeRawIpv4, decodeRawIpv6 } from './raw.js';
import { decodeSll } from './sll.js';
import { decodeSll2 } from './sll2.js';
import { ETHERTYPES, IP_PROTOCOLS, LINK_TYPES, note, TCP_PORTS, UDP_PORTS } from './tables.js';
import { decodeTcp } from './tcp.js';
import { decodeUdp } from './udp.js';
import { decodeVlan } from './vlan.js';
import { decodeVxlan } from './vxlan.js';
import { decodeWireguard } from './wireguard.js';

export type * from './packet.js';

// Link types (https://www.tcpdump.org/linktypes.html).
LINK_TYPES.set(0, decodeNull);
LINK_TYPES.set(1, decodeEthernet);
LINK_TYPES.set(12, decodeRaw);
LINK_TYPES.set(14, decodeRaw);
LINK_TYPES.set(101, decodeRaw);
LINK_TYPES.set(108, decodeLoop);
LINK_TYPES.set(113, decodeSll);
LINK_TYPES.set(228, decodeRawIpv4);
LINK_TYPES.set(229, decodeRawIpv6);
LINK_TYPES.set(276, decodeSll2);

// EtherTypes.
ETHERTYPES[0x0800] = decodeIpv4;
ETHERTYPES[0x86dd] = decodeIpv6;
ETHERTYPES[0x0806] = decodeArp;
for (const tpid of [0x8100, 0x88a8, 0x9100]) ETHERTYPES[tpid] = (d, b, off, end) => decodeVlan(d, b, off, end, tpid);

// IP protocols.
IP_PROTOCOLS[1] = decodeIcmp;
IP_PROTOCOLS[4] = decodeIpInIp;
IP_PROTOCOLS[6] = decodeTcp;
IP_PROTOCOLS[17] = decodeUdp;
IP_PROTOCOLS[41] = decodeIpv6InIp;
IP_PROTOCOLS[47] = decodeGre;
IP_PROTOCOLS[58] = decodeIcmpv6;

// Applications and tunnels by port.
UDP_PORTS[53] = decodeDns;
UDP_PORTS[5353] = decodeDns;
UDP_PORTS[4789] = decodeVxlan;
UDP_PORTS[8472] = decodeVxlan;
UDP_PORTS[6081] = decodeGeneve;
UDP_PORTS[51820] = decodeWireguard;
TCP_PORTS[53] = decodeDnsTcp;

/** Decodes a frame by its link type, as far as its bytes go. Never throws. */
export function decodeFrame(frame: Frame): DecodedPacket {
	const d = newDecoded(frame);
	const link = LINK_TYPES.get(frame.linkType);
	if (link === undefined) note(d, `${linkTypeName(frame.linkType)} frames are not decoded`);
	else link(d, frame.buf, frame.start, frame.start + frame.caplen);
	return d;
}
